package dev.streamlens.access;

import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * With keys on, every call to the API ({@code /v1/...}) must carry a known key; the key's tenant
 * is then available to the resource through {@link CallerTenant}. Health, metrics and OpenAPI
 * ({@code /health}, {@code /q/...}) stay open for probes and scrapers.
 */
public class AccessFilter {

    @Inject
    AccessControl access;

    @Inject
    CallerTenant caller;

    @Inject
    AccessRefusals refusals;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Optional<jakarta.ws.rs.core.Response> authenticate(ContainerRequestContext request) {
        if (!access.keysRequired() || !request.getUriInfo().getPath().startsWith("/v1/")) {
            return Optional.empty();
        }
        Optional<String> key = PresentedKey.from(
                request.getHeaderString(HttpHeaders.AUTHORIZATION), request.getHeaderString("X-API-Key"));
        if (key.isEmpty()) {
            return Optional.of(refusals.unauthorized(
                    "an API key is required: send Authorization: Bearer <key> or X-API-Key: <key>"));
        }
        Optional<ApiKeys.TenantKey> tenant = access.keys().flatMap(keys -> keys.find(key.get()));
        if (tenant.isEmpty()) {
            return Optional.of(refusals.unauthorized("unknown API key"));
        }
        caller.set(tenant.get().tenantId());
        return Optional.empty();
    }
}
