package dev.streamlens.query.metrics;

import dev.streamlens.access.CallerTenant;
import dev.streamlens.query.QueryAnswers;
import io.agroal.api.AgroalDataSource;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * {@code GET /v1/tenants}: the tenants the caller may read, for the dashboard's picker. With API
 * keys on, only the key's own tenant; otherwise every tenant with results, in name order.
 */
@Path("/v1/tenants")
@Produces(MediaType.APPLICATION_JSON)
public class TenantsResource {

    private static final Logger LOG = Logger.getLogger(TenantsResource.class);
    private static final int MAX_TENANTS = 1000;

    /**
     * A loose index scan over the hourly table's unique key (tenant first): one index probe per
     * tenant, however many rows each has, where {@code SELECT DISTINCT} would read them all.
     */
    private static final String DISTINCT_TENANTS = "WITH RECURSIVE t(tenant_id) AS ("
            + " SELECT min(tenant_id) FROM llm_metrics_hourly"
            + " UNION ALL SELECT (SELECT min(tenant_id) FROM llm_metrics_hourly h WHERE h.tenant_id > t.tenant_id)"
            + " FROM t WHERE t.tenant_id IS NOT NULL)"
            + " SELECT tenant_id FROM t WHERE tenant_id IS NOT NULL LIMIT " + MAX_TENANTS;

    @Inject
    CallerTenant caller;

    @Inject
    AgroalDataSource dataSource;

    @GET
    @Operation(summary = "The tenants the caller may read (with API keys: its own)")
    public Response tenants() {
        Optional<String> own = caller.get();
        if (own.isPresent()) {
            return Response.ok(Map.of("tenants", List.of(own.get()))).build();
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(DISTINCT_TENANTS);
                ResultSet rs = ps.executeQuery()) {
            List<String> tenants = new ArrayList<>();
            while (rs.next()) {
                tenants.add(rs.getString(1));
            }
            return Response.ok(Map.of("tenants", tenants)).build();
        } catch (SQLException e) {
            LOG.warn("tenants query failed", e);
            return QueryAnswers.storeUnavailable();
        }
    }
}
