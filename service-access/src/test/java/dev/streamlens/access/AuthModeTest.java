package dev.streamlens.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AuthModeTest {

    @Test
    void keysAreTheDefaultBeyondLoopbackOnly() {
        assertThat(AuthMode.resolve("", "127.0.0.1", false)).isEqualTo(AuthMode.NONE);
        assertThat(AuthMode.resolve(null, "localhost", false)).isEqualTo(AuthMode.NONE);
        assertThat(AuthMode.resolve("", "::1", false)).isEqualTo(AuthMode.NONE);
        assertThat(AuthMode.resolve("", "0.0.0.0", false)).isEqualTo(AuthMode.API_KEY);
        assertThat(AuthMode.resolve("API-KEY", "127.0.0.1", false)).isEqualTo(AuthMode.API_KEY);
    }

    @Test
    void noKeysBeyondLoopbackNeedsATrustedGateway() {
        assertThatThrownBy(() -> AuthMode.resolve("none", "0.0.0.0", false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STREAMLENS_TRUSTED_GATEWAY");
        assertThat(AuthMode.resolve("none", "0.0.0.0", true)).isEqualTo(AuthMode.NONE);
        assertThat(AuthMode.resolve("none", "127.0.0.1", false)).isEqualTo(AuthMode.NONE);
    }

    @Test
    void anUnknownModeIsNamed() {
        assertThatThrownBy(() -> AuthMode.resolve("basic", "127.0.0.1", false)).hasMessageContaining("'basic'");
    }
}
