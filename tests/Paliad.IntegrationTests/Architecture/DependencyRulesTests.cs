using System.Reflection;
using NetArchTest.Rules;

namespace Paliad.IntegrationTests.Architecture;

/// <summary>The dependency rules the README states, as tests: dependencies point inward (Api → Application ←
/// Infrastructure, everything → Domain), the domain knows no persistence or HTTP, and the outbox knows nothing of
/// the sync engine.</summary>
public sealed class DependencyRulesTests
{
    private static readonly Assembly Domain = typeof(Paliad.Domain.Common.IDomainEvent).Assembly;
    private static readonly Assembly Application = typeof(Paliad.Application.ApplicationAssembly).Assembly;
    private static readonly Assembly Infrastructure = typeof(Paliad.Infrastructure.DependencyInjection).Assembly;

    private static void AssertHolds(TestResult result, string rule)
        => Assert.That(result.IsSuccessful, Is.True, $"{rule}; broken by: {string.Join(", ", result.FailingTypeNames ?? [])}");

    [Test]
    public void The_domain_depends_on_no_other_layer_nor_on_persistence_or_http()
        => AssertHolds(Types.InAssembly(Domain).ShouldNot()
            .HaveDependencyOnAny("Paliad.Application", "Paliad.Infrastructure", "Paliad.Api", "Microsoft.EntityFrameworkCore", "Microsoft.AspNetCore", "Npgsql", "System.Net.Http")
            .GetResult(), "Domain is the core");

    [Test]
    public void The_application_layer_depends_on_neither_infrastructure_nor_the_api()
        => AssertHolds(Types.InAssembly(Application).ShouldNot()
            .HaveDependencyOnAny("Paliad.Infrastructure", "Paliad.Api", "Npgsql", "Microsoft.AspNetCore", "System.Net.Http")
            .GetResult(), "Application sees ports, not adapters");

    [Test]
    public void Infrastructure_does_not_depend_on_the_api()
        => AssertHolds(Types.InAssembly(Infrastructure).ShouldNot().HaveDependencyOn("Paliad.Api").GetResult(), "Infrastructure does not know its host");

    [Test]
    public void The_outbox_knows_nothing_of_the_sync_engine()
        => AssertHolds(Types.InAssembly(Infrastructure).That().ResideInNamespace("Paliad.Infrastructure.Persistence.Outbox")
            .ShouldNot().HaveDependencyOn("Paliad.Infrastructure.Sync").GetResult(), "the outbox publishes events; what handles them is not its business");

    [Test]
    public void The_caldav_client_knows_nothing_of_the_engine_or_the_database()
        => AssertHolds(Types.InAssembly(Infrastructure).That().ResideInNamespace("Paliad.Infrastructure.CalDav")
            .ShouldNot().HaveDependencyOnAny("Paliad.Infrastructure.Sync", "Paliad.Infrastructure.Persistence", "Microsoft.EntityFrameworkCore")
            .GetResult(), "the CalDAV client speaks HTTP only");
}
