// Drives the ZooKeeper 3.8 Java client API through the capture relay, for the ops zkCli.sh cannot send
// (multi with every write op, multiRead, create2/createTTL with a Stat, checkWatches, setWatches2 on reconnect).
// Single-threaded apart from the client's own threads. Prints "KICK" and waits for a line on stdin when it
// wants the relay to drop its connection.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.apache.zookeeper.data.Stat;

public final class JavaDriver {
    private static final List<org.apache.zookeeper.data.ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;

    public static void main(String[] args) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        List<String> events = new ArrayList<>();
        Watcher global = e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
            events.add(e.toString());
        };
        ZooKeeperAdmin zk = new ZooKeeperAdmin(args[0], 10000, global);
        if (!connected.await(20, TimeUnit.SECONDS)) throw new IllegalStateException("no connection");
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            run(zk, stdin);
        } catch (Exception e) {
            System.out.println("ERROR " + e);
            System.out.flush();
            zk.close();
            System.exit(1);
        }
        zk.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void run(ZooKeeperAdmin zk, BufferedReader stdin) throws Exception {
        Stat stat = new Stat();
        zk.create("/jd", b("root"), OPEN, CreateMode.PERSISTENT, stat);
        zk.create("/jd/c", null, OPEN, CreateMode.CONTAINER, stat);
        zk.create("/jd/ttl", b("t"), OPEN, CreateMode.PERSISTENT_WITH_TTL, stat, 30000);
        zk.create("/jd/seq-", b("s"), OPEN, CreateMode.EPHEMERAL_SEQUENTIAL, stat);
        zk.create("/jd/x", b("x"), OPEN, CreateMode.PERSISTENT);

        zk.multi(Arrays.asList(
            Op.create("/jd/m1", b("m1"), OPEN, CreateMode.PERSISTENT),
            Op.create("/jd/m2", b("m2"), OPEN, CreateMode.PERSISTENT_SEQUENTIAL),
            Op.create("/jd/mc", null, OPEN, CreateMode.CONTAINER),
            Op.create("/jd/mt", b("mt"), OPEN, CreateMode.PERSISTENT_WITH_TTL, 30000),
            Op.setData("/jd/m1", b("m1b"), 0),
            Op.check("/jd/x", 0),
            Op.delete("/jd/x", 0)));
        try {
            zk.multi(Arrays.asList(
                Op.create("/jd/f1", b("f1"), OPEN, CreateMode.PERSISTENT),
                Op.setData("/jd/missing", b("no"), -1),
                Op.delete("/jd/m1", -1)));
        } catch (KeeperException expected) {
            // a failed multi: every result is an error result
        }
        zk.multi(Arrays.asList(Op.getChildren("/jd"), Op.getData("/jd/m1"), Op.getData("/jd/nothing")));

        zk.getChildren("/jd", true, stat);
        zk.getData("/jd/m1", true, stat);
        zk.exists("/jd/later", true);
        Watcher own = e -> { };
        zk.getData("/jd/ttl", own, stat);
        zk.removeWatches("/jd/ttl", own, Watcher.WatcherType.Data, false);
        zk.addWatch("/jd/p", AddWatchMode.PERSISTENT);
        zk.addWatch("/jd", AddWatchMode.PERSISTENT_RECURSIVE);
        zk.getACL("/jd", stat);
        zk.setACL("/jd/m1", ZooDefs.Ids.READ_ACL_UNSAFE, -1);
        zk.addAuthInfo("digest", b("bob:pw"));
        zk.whoAmI();
        zk.getEphemerals("/jd");
        zk.getAllChildrenNumber("/jd");
        zk.getConfig(false, stat);
        try {
            zk.reconfigure(null, "3", null, -1, stat);
        } catch (KeeperException expected) {
            // reconfig is disabled on a standalone server
        }
        zk.sync("/jd", (rc, path, ctx) -> { }, null);

        System.out.println("KICK");
        System.out.flush();
        stdin.readLine();
        // The reconnect re-sends the auth packet and a setWatches2 (persistent watches are held).
        zk.exists("/jd", false);
        zk.create("/jd/later", b("l"), OPEN, CreateMode.PERSISTENT);
        zk.create("/jd/p", b("p"), OPEN, CreateMode.PERSISTENT);
        zk.setData("/jd/p", b("p2"), -1);
        zk.delete("/jd/p", -1);
        try {
            zk.removeAllWatches("/jd", Watcher.WatcherType.Any, false);
        } catch (KeeperException.NoWatcherException ignored) {
            // the reply is captured either way
        }
    }
}
