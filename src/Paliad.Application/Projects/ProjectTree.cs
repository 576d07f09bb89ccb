using System.Linq.Expressions;
using System.Reflection;
using Paliad.Domain.Projects;

namespace Paliad.Application.Projects;

/// <summary>
/// The one subtree rule: a path lies in the subtree rooted at another when it is in [root, root + "g") — the node
/// itself and all its descendants, a range on the path index under the column's "C" (byte order) collation (see
/// <see cref="Project.SubtreeUpperBoundSuffix"/>). Every query that walks the tree, down (what a member sees, what a
/// client binding carries) or up (whose membership covers a project), filters through here.
/// </summary>
public static class ProjectTree
{
    private static readonly MethodInfo Compare = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;
    private static readonly MethodInfo Concat = typeof(string).GetMethod(nameof(string.Concat), [typeof(string), typeof(string)])!;

    /// <summary>Keeps the rows whose <paramref name="path"/> lies in the subtree rooted at their <paramref name="root"/>.</summary>
    public static IQueryable<T> WhereInSubtree<T>(this IQueryable<T> rows, Expression<Func<T, string>> path, Expression<Func<T, string>> root)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(root);
        var row = path.Parameters[0];
        var rootOfRow = new Rebind(root.Parameters[0], row).Visit(root.Body);
        var upperBound = Expression.Call(Concat, rootOfRow, Expression.Constant(Project.SubtreeUpperBoundSuffix));
        var inRange = Expression.AndAlso(
            Expression.GreaterThanOrEqual(Expression.Call(Compare, path.Body, rootOfRow), Expression.Constant(0)),
            Expression.LessThan(Expression.Call(Compare, path.Body, upperBound), Expression.Constant(0)));
        return rows.Where(Expression.Lambda<Func<T, bool>>(inRange, row));
    }

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
