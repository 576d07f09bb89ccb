using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using NetArchTest.Rules;
using Paliad.Domain.Common;

namespace Paliad.UnitTests.Architecture;

/// <summary>
/// The rules of the codebase that project references do not already enforce, as tests that fail when broken: what an
/// aggregate or an event may expose, who may know the database, the outbox and the CalDAV client, and how the engine
/// is split.
/// </summary>
public sealed partial class ArchitectureTests
{
    private static readonly Assembly Domain = typeof(IDomainEvent).Assembly;
    private static readonly Assembly Infrastructure = typeof(Paliad.Infrastructure.DependencyInjection).Assembly;
    private static readonly Assembly Api = typeof(Program).Assembly;

    private static void AssertHolds(TestResult result, string rule)
        => Assert.That(result.IsSuccessful, Is.True, $"{rule}; broken by: {string.Join(", ", result.FailingTypeNames ?? [])}");

    private static IEnumerable<Type> DomainEvents => Domain.GetTypes().Where(t => typeof(IDomainEvent).IsAssignableFrom(t) && !t.IsInterface);

    [Test]
    public void Aggregates_change_their_state_only_through_their_methods()
    {
        var aggregates = Domain.GetTypes().Where(t => t.IsSubclassOf(typeof(Entity))).ToList();
        var settable = aggregates
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Select(p => (Type: t, Property: p)))
            .Where(x => x.Property.SetMethod is { IsPublic: true })
            .Select(x => $"{x.Type.Name}.{x.Property.Name}");

        Assert.That(aggregates, Has.Count.GreaterThan(5), "the aggregates were found");
        Assert.That(settable, Is.Empty, "public setters on aggregates");
    }

    [Test]
    public void Domain_events_are_sealed_immutable_records_of_ids_and_values()
    {
        var offenders = new List<string>();
        foreach (var type in DomainEvents)
        {
            if (!type.IsSealed || type.GetMethod("<Clone>$") is null)
            {
                offenders.Add($"{type.Name} is not a sealed record");
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.SetMethod is { IsPublic: true } setter
                    && !setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)))
                {
                    offenders.Add($"{type.Name}.{property.Name} can be set");
                }

                if (typeof(Entity).IsAssignableFrom(property.PropertyType))
                {
                    offenders.Add($"{type.Name}.{property.Name} carries an entity");
                }
            }
        }

        Assert.That(DomainEvents.Count(), Is.GreaterThan(15), "the events were found");
        Assert.That(offenders, Is.Empty);
    }

    [Test]
    public void Every_event_names_its_lane_apart_from_what_the_outbox_stores()
    {
        // The lane is implemented explicitly: a public Lane property would be serialised into every stored message.
        var publicLanes = DomainEvents.Where(t => t.GetProperty(nameof(IDomainEvent.Lane), BindingFlags.Public | BindingFlags.Instance) is not null)
            .Select(t => t.Name);

        Assert.That(publicLanes, Is.Empty);
    }

    [Test]
    public void The_api_reaches_into_infrastructure_only_in_its_composition_root()
        => AssertHolds(Types.InAssembly(Api).That().DoNotResideInNamespace("Paliad.Api.Composition").And().DoNotHaveName("Program")
            .ShouldNot().HaveDependencyOn("Paliad.Infrastructure").GetResult(), "endpoints send Application requests; only the composition root wires adapters");

    [Test]
    public void The_outbox_knows_nothing_of_the_sync_engine()
        => AssertHolds(Types.InAssembly(Infrastructure).That().ResideInNamespace("Paliad.Infrastructure.Persistence.Outbox")
            .ShouldNot().HaveDependencyOn("Paliad.Infrastructure.Sync").GetResult(), "the outbox publishes events; what handles them is not its business");

    [Test]
    public void The_sync_engine_does_not_reach_into_the_outboxs_persistence()
        => AssertHolds(Types.InAssembly(Infrastructure).That().ResideInNamespaceStartingWith("Paliad.Infrastructure.Sync")
            .ShouldNot().HaveDependencyOn("Paliad.Infrastructure.Persistence.Outbox").GetResult(), "parking and retries are said with Application types");

    [Test]
    public void The_caldav_client_knows_nothing_of_the_engine_or_the_database()
        => AssertHolds(Types.InAssembly(Infrastructure).That().ResideInNamespace("Paliad.Infrastructure.CalDav")
            .ShouldNot().HaveDependencyOnAny("Paliad.Infrastructure.Sync", "Paliad.Infrastructure.Persistence", "Microsoft.EntityFrameworkCore")
            .GetResult(), "the CalDAV client speaks HTTP only");

    [Test]
    public void The_phases_know_the_remote_calendar_and_the_copy_book_only_through_their_ports()
        => AssertHolds(Types.InAssembly(Infrastructure).That().ResideInNamespace("Paliad.Infrastructure.Sync.Phases").And().DoNotHaveName("DatabaseCopyBook")
            .ShouldNot().HaveDependencyOnAny("Paliad.Infrastructure.CalDav.CalDavClient", "Paliad.Infrastructure.Persistence", "Microsoft.EntityFrameworkCore", "Npgsql")
            .GetResult(), "phases run on the in-memory calendar and copy book in the pure tests");

    [Test]
    public void Nothing_under_Infrastructure_Sync_is_a_partial_class()
    {
        var sync = Path.Combine(RepositoryRoot(), "src", "Paliad.Infrastructure", "Sync");
        var partials = Directory.EnumerateFiles(sync, "*.cs", SearchOption.AllDirectories)
            .Where(f => PartialType().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(sync, f));

        Assert.That(Directory.EnumerateFiles(sync, "*.cs", SearchOption.AllDirectories).Count(), Is.GreaterThan(10), "the engine's sources were found");
        Assert.That(partials, Is.Empty, "one class in several files is one class, not parts: split by responsibility");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Paliad.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Paliad.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"\bpartial\s+(class|record|struct|interface)\b")]
    private static partial Regex PartialType();
}
