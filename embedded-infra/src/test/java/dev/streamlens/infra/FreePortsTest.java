package dev.streamlens.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void eachForkHasItsOwnBlockBelowTheEphemeralRange() {
        assertThat(FreePorts.range(1)).containsExactly(10_000, 15_000);
        assertThat(FreePorts.range(2)).containsExactly(15_000, 20_000);
        assertThat(FreePorts.range(4)).containsExactly(25_000, 30_000);
        assertThat(FreePorts.range(0))
                .as("outside failsafe (a stack's own processes): above every block")
                .containsExactly(30_000, 32_000);
        assertThat(FreePorts.range(5)).as("more forks than blocks").containsExactly(30_000, 32_000);
    }

    @Test
    void aPickedPortIsBindableNotReservedAndNeverHandedOutTwice() throws Exception {
        Set<Integer> picked = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = FreePorts.pick();
            assertThat(port).isBetween(10_000, 31_999);
            assertThat(FreePorts.reserved(port)).isFalse();
            assertThat(picked.add(port)).as("port %d handed out twice", port).isTrue();
        }
        int port = FreePorts.pick();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            assertThat(FreePorts.isListening(port)).isTrue();
        }
    }

    @Test
    void theBenchmarkScriptsFixedPortsAreNeverPicked() {
        assertThat(FreePorts.reserved(18_090)).isTrue();
        assertThat(FreePorts.reserved(25_432)).isTrue();
        assertThat(FreePorts.reserved(29_095)).isTrue();
        assertThat(FreePorts.reserved(18_100)).isFalse();
    }
}
