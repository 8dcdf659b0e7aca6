package dev.streamlens.access;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The service's access settings, checked when it starts (a service that would expose tenants'
 * data refuses to start): STREAMLENS_AUTH, STREAMLENS_API_KEYS_FILE, STREAMLENS_TRUSTED_GATEWAY,
 * and the address it listens on.
 */
@Startup
@ApplicationScoped
public class AccessControl {

    private static final Logger LOG = Logger.getLogger(AccessControl.class);

    @ConfigProperty(name = "streamlens.access.auth")
    Optional<String> authSetting;

    @ConfigProperty(name = "streamlens.access.api-keys-file")
    Optional<String> apiKeysFile;

    @ConfigProperty(name = "streamlens.access.trusted-gateway", defaultValue = "false")
    boolean trustedGateway;

    @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0")
    String host;

    private AuthMode mode;
    private ApiKeys keys;

    @PostConstruct
    void check() {
        mode = AuthMode.resolve(authSetting.orElse(""), host, trustedGateway);
        if (mode == AuthMode.API_KEY) {
            String file = apiKeysFile.map(String::trim).orElse("");
            if (file.isEmpty()) {
                throw new IllegalStateException(
                        "API keys are on (listening on " + host + ") but STREAMLENS_API_KEYS_FILE "
                                + "is not set: name a file {\"keys\": [{\"tenant_id\": ..., \"sha256\": ...}]}");
            }
            keys = ApiKeys.load(Path.of(file));
        }
        LOG.infof(
                "access: %s (listening on %s)",
                mode == AuthMode.API_KEY ? "API keys from " + apiKeysFile.orElse("") : "no API keys", host);
    }

    public boolean keysRequired() {
        return mode == AuthMode.API_KEY;
    }

    /** The keys, when they are required. */
    public Optional<ApiKeys> keys() {
        return Optional.ofNullable(keys);
    }
}
