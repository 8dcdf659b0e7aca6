package dev.streamlens.infra;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks loopback ports nobody listens on, for servers that must be told their port up front.
 *
 * <p>A picked port is free when picked, not when its server binds it seconds later, so two races
 * are closed here. Ports come from below Linux's ephemeral range (32768 and up), where no outgoing
 * connection of another process takes them meanwhile (asking the kernel for port 0 returns one of
 * those). And each test JVM picks from its own block of that range when failsafe numbers it
 * ({@value #BLOCK_PROPERTY}, set by the parent pom), so test classes running side by side never
 * pick the same port; within a JVM a port is handed out once. A JVM outside those blocks (a stack's
 * Kafka, started by `./streamlens up` inside a test, picking its controller port) takes the top of
 * the range, which no block reaches: from the whole range it once took a port a test had just
 * handed to that stack's ingest-service, before the service bound it.
 */
public final class FreePorts {

    /** The failsafe fork number (1, 2, …) of this JVM; absent outside the integration tests. */
    static final String BLOCK_PROPERTY = "streamlens.test.port-block";

    private static final int LOWEST = 10_000;
    private static final int HIGHEST = 32_000; // below the ephemeral range
    private static final int BLOCK_SIZE = 5_000;
    /** Blocks 1 to 4 end here; JVMs without a block pick above it. */
    private static final int UNBLOCKED_FROM = 30_000;

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {}

    public static int pick() {
        int[] range = range(Integer.getInteger(BLOCK_PROPERTY, 0));
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(range[0], range[1]);
            if (!reserved(port) && HANDED_OUT.add(port) && canBind(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port on loopback between " + range[0] + " and " + range[1]);
    }

    /** The block of fork {@code block} (1, 2, …), or the top of the range for 0 or a block beyond the fourth. */
    static int[] range(int block) {
        int from = LOWEST + (block - 1) * BLOCK_SIZE;
        if (block < 1 || from + BLOCK_SIZE > UNBLOCKED_FROM) {
            return new int[] {UNBLOCKED_FROM, HIGHEST};
        }
        return new int[] {from, from + BLOCK_SIZE};
    }

    /** The fixed ports of the benchmark scripts, which may run beside the tests. */
    static boolean reserved(int port) {
        return (port >= 18_080 && port <= 18_099)
                || (port >= 25_432 && port <= 25_439)
                || (port >= 29_092 && port <= 29_099);
    }

    private static boolean canBind(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** True when something accepts connections on the loopback port. */
    public static boolean isListening(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
