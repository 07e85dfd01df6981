// Specifications of the node's open-addressing child table against a model set: random adds and removes
// (which exercise growth and backward-shift deletion) never lose or invent a child.
using Zk.Protocol;
using Zk.Core.DataTree;

namespace Zk.Core.Tests.DataTree;

public sealed class ChildTableTests
{
    private static readonly AclList Open = new([.. Acl.OpenAclUnsafe]);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_adds_and_removes_match_a_model_set(int seed)
    {
        var rng = new Random(seed);
        var node = DataNode.Create("p", null, Open, 0);
        var model = new HashSet<string>(StringComparer.Ordinal);
        for (var step = 0; step < 20_000; step++)
        {
            var name = "n" + rng.Next(600);
            if (rng.Next(2) == 0)
            {
                if (model.Add(name)) node.AddChild(DataNode.Create(name, null, Open, 0));
            }
            else
            {
                var removed = node.RemoveChild(name);
                Assert.Equal(model.Remove(name), removed is not null);
                if (removed is not null) Assert.Equal(name, removed.Name);
            }
            if (step % 500 == 0)
            {
                Assert.Equal(model.Count, node.ChildCount);
                Assert.Equal(model.Order(StringComparer.Ordinal), node.ChildNames().Order(StringComparer.Ordinal));
                foreach (var m in model) Assert.Equal(m, node.GetChild(m)!.Name);
                Assert.Null(node.GetChild("absent"));
            }
        }
    }

    [Fact]
    public void Removing_the_last_child_releases_the_table()
    {
        var node = DataNode.Create("p", null, Open, 0);
        node.AddChild(DataNode.Create("a", null, Open, 0));
        Assert.NotNull(node.RemoveChild("a"));
        Assert.Equal(0, node.ChildCount);
        Assert.Empty(node.ChildNames());
        Assert.Null(node.RemoveChild("a"));
    }

    [Fact]
    public void Only_nodes_with_an_owner_carry_one()
    {
        Assert.IsNotType<OwnedDataNode>(DataNode.Create("p", null, Open, 0));
        Assert.Equal(42, DataNode.Create("e", null, Open, 42).EphemeralOwner);
        Assert.Equal(0, DataNode.Create("p", null, Open, 0).EphemeralOwner);
    }
}
