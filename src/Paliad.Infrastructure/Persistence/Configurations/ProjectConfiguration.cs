using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Paliad.Domain.Common;
using Paliad.Domain.Identity;
using Paliad.Domain.Projects;

namespace Paliad.Infrastructure.Persistence.Configurations;

internal sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> builder)
    {
        builder.ToTable("projects", t =>
        {
            t.HasCheckConstraint("ck_projects_kind", $"kind IN ({Words.SqlList<ProjectKind>()})");
            t.HasCheckConstraint("ck_projects_client_is_root", $"(kind = '{Words.Of(ProjectKind.Client)}') = (parent_id IS NULL)");
            t.HasCheckConstraint("ck_projects_name_not_blank", "btrim(name) <> ''");
        });
        builder.HasKey(p => p.Id);
        builder.HasRowVersion(p => p.RowVersion);
        builder.Property(p => p.Id).ValueGeneratedNever();
        builder.Property(p => p.Kind).HasConversion<WordConverter<ProjectKind>>().HasMaxLength(WordConverter<ProjectKind>.MaxLength);
        builder.Property(p => p.Name).HasMaxLength(Project.NameMaxLength);

        // Byte-order collation: "this node and its descendants" is the range path >= node.path AND
        // path < node.path || 'g' (ids are hex, so 'g' sorts after every path character), a plain
        // btree range scan, even when node.path comes from a join rather than a constant.
        builder.Property(p => p.Path).HasMaxLength(Project.PathMaxLength).UseCollation("C");
        builder.HasIndex(p => p.Path).IsUnique();
        builder.HasOne<Project>().WithMany().HasForeignKey(p => p.ParentId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(p => p.ParentId);

        builder.Property(p => p.MembershipVersion).IsConcurrencyToken();
        builder.HasMany(p => p.Members).WithOne().HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(p => p.Members).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class ProjectMemberConfiguration : IEntityTypeConfiguration<ProjectMember>
{
    public void Configure(EntityTypeBuilder<ProjectMember> builder)
    {
        builder.ToTable("project_members", t => t.HasCheckConstraint("ck_project_members_role", $"role IN ({Words.SqlList<ProjectRole>()})"));
        builder.HasKey(m => new { m.ProjectId, m.UserId });
        builder.Property(m => m.Role).HasConversion<WordConverter<ProjectRole>>().HasMaxLength(WordConverter<ProjectRole>.MaxLength);
        builder.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(m => m.UserId);
    }
}
