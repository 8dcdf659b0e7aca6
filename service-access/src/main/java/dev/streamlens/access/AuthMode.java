package dev.streamlens.access;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Whether callers must present an API key (README.md#access-api-keys-tenants-rate-limits). Keys
 * are the default as soon as a service listens beyond loopback; turning them off there needs an
 * explicit statement that a trusted gateway authenticates callers in front of the service.
 */
public enum AuthMode {
    NONE,
    API_KEY;

    /**
     * @param setting        STREAMLENS_AUTH: {@code none}, {@code api-key}, or empty for the default
     * @param host           the address the service listens on
     * @param trustedGateway STREAMLENS_TRUSTED_GATEWAY: callers are authenticated in front of us
     * @throws IllegalStateException when the combination would expose tenants' data
     */
    public static AuthMode resolve(String setting, String host, boolean trustedGateway) {
        String value = setting == null ? "" : setting.trim().toLowerCase(Locale.ROOT);
        boolean loopback = isLoopback(host);
        return switch (value) {
            case "" -> loopback ? NONE : API_KEY;
            case "api-key" -> API_KEY;
            case "none" -> {
                if (!loopback && !trustedGateway) {
                    throw new IllegalStateException("refusing to listen on " + host + " without API keys: set "
                            + "STREAMLENS_AUTH=api-key with STREAMLENS_API_KEYS_FILE, listen on 127.0.0.1, or set "
                            + "STREAMLENS_TRUSTED_GATEWAY=true if a gateway in front authenticates every caller");
                }
                yield NONE;
            }
            default ->
                throw new IllegalStateException("STREAMLENS_AUTH must be none or api-key, not '" + setting + "'");
        };
    }

    /** 127.0.0.1, ::1, localhost; 0.0.0.0 and every other address are not. */
    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
