package dev.streamlens.query.prices;

import dev.streamlens.access.AccessControl;
import dev.streamlens.access.CallerTenant;
import dev.streamlens.model.FieldError;
import dev.streamlens.model.Rfc3339;
import dev.streamlens.model.pricing.PriceCatalog;
import dev.streamlens.model.pricing.PriceSet;
import dev.streamlens.model.pricing.PriceVersion;
import dev.streamlens.model.pricing.TieredPrice;
import dev.streamlens.model.pricing.UserPrices;
import dev.streamlens.query.QueryAnswers;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The price catalog (docs/PRICING.md): {@code GET /v1/prices} says which catalog and of which
 * date, and lists the published price versions; {@code PUT /v1/prices} publishes one; {@code GET
 * /v1/prices/model?model=…&provider=…&at=…} finds a model in the catalog as a call's pricing would,
 * with the prices in force at that time — to see why a call is priced as it is, or unpriced.
 */
@Path("/v1/prices")
@Produces(MediaType.APPLICATION_JSON)
public class PricesResource {

    private static final PriceCatalog CATALOG = PriceCatalog.bundled();
    private static final PriceCatalog.Source SOURCE = PriceCatalog.bundledSource();

    @Inject
    PriceVersionStore versions;

    @Inject
    AccessControl access;

    @Inject
    CallerTenant caller;

    /** With API keys on, the tenants whose keys may publish prices (prices are everyone's). */
    @ConfigProperty(name = "streamlens.prices.editors")
    Optional<List<String>> editors;

    /**
     * Publishes a price version: the body is price entries in the catalog's format or the earlier
     * table's (docs/PRICING.md), in force for calls from {@code effective_from} (RFC 3339, default
     * now) on, in front of the job's own; the job takes it without a restart.
     */
    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Publish a price version: entries in force for calls from effective_from on")
    public Response publish(String body, @QueryParam("effective_from") String effectiveFrom) {
        if (access.keysRequired()
                && editors.orElse(List.of()).stream()
                        .noneMatch(tenant -> tenant.equals(caller.get().orElse(null)))) {
            return QueryAnswers.error(
                    Response.Status.FORBIDDEN,
                    List.of(new FieldError(
                            "tenant_id",
                            "may not publish prices: they apply to every tenant (STREAMLENS_PRICE_EDITORS names"
                                    + " the tenants that may)")));
        }
        Instant from = effectiveFrom == null || effectiveFrom.isBlank() ? Instant.now() : Rfc3339.parse(effectiveFrom);
        if (from == null) {
            return QueryAnswers.error(
                    Response.Status.BAD_REQUEST,
                    List.of(new FieldError("effective_from", "must be an RFC 3339 timestamp")));
        }
        String entries = body == null ? "" : body;
        try {
            UserPrices.read(entries.getBytes(StandardCharsets.UTF_8), "body");
        } catch (IllegalArgumentException e) {
            return QueryAnswers.error(
                    Response.Status.BAD_REQUEST,
                    List.of(new FieldError("body", e.getMessage().replaceFirst("^body: ", ""))));
        }
        try {
            PriceVersion version = versions.publish(from, "PUT /v1/prices", entries);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("version", version.version());
            answer.put("effective_from", version.effectiveFrom().toString());
            return Response.ok(answer).build();
        } catch (PriceVersionStore.NotPublished e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .header("Retry-After", 5)
                    .entity(Map.of("error", e.getMessage() + "; nothing was published, send it again"))
                    .build();
        } catch (SQLException e) {
            return QueryAnswers.storeUnavailable();
        }
    }

    @GET
    @Operation(summary = "The price catalog (its source, date and size) and the published price versions")
    public Response catalog() {
        Map<String, Object> catalog = new LinkedHashMap<>();
        catalog.put("name", SOURCE.name());
        catalog.put("publisher", SOURCE.publisher());
        catalog.put("licence", SOURCE.licence());
        catalog.put("url", SOURCE.url());
        catalog.put("date", SOURCE.date());
        catalog.put("providers", CATALOG.providerCount());
        catalog.put("models", CATALOG.modelCount());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("catalog", catalog);
        try {
            answer.put("versions", versions.list());
        } catch (SQLException e) {
            return QueryAnswers.storeUnavailable();
        }
        return Response.ok(answer).build();
    }

    @GET
    @Path("/model")
    @Operation(summary = "A model as a call's pricing finds it, with the prices in force at a time (default: now)")
    public Response model(
            @QueryParam("model") String model, @QueryParam("provider") String provider, @QueryParam("at") String at) {
        if (model == null || model.isBlank()) {
            return QueryAnswers.error(Response.Status.BAD_REQUEST, List.of(new FieldError("model", "is required")));
        }
        Instant time = at == null || at.isBlank() ? Instant.now() : Rfc3339.parse(at); // null: not RFC 3339
        if (time == null) {
            return QueryAnswers.error(
                    Response.Status.BAD_REQUEST, List.of(new FieldError("at", "must be an RFC 3339 timestamp")));
        }
        Optional<PriceCatalog.CatalogModel> found = CATALOG.find(provider, model);
        if (found.isEmpty()) {
            return Response.status(Response.Status.NOT_FOUND)
                    .entity(Map.of(
                            "status",
                            "unpriced",
                            "error",
                            "the catalog has no model " + model
                                    + (provider == null || provider.isBlank()
                                            ? " (without a provider only the model id decides: docs/PRICING.md)"
                                            : " for provider " + provider)))
                    .build();
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("provider", found.get().provider());
        answer.put("model", found.get().id());
        answer.put("at", time.toString());
        answer.put("prices", prices(found.get().prices().at(time)));
        return Response.ok(answer).build();
    }

    /** Each price as the catalog writes it: a number, or {"base": …, "tiers": [{"start": …, "price": …}]}. */
    private static Map<String, Object> prices(PriceSet prices) {
        Map<String, Object> json = new TreeMap<>();
        prices.prices().forEach((key, price) -> json.put(key, price(price)));
        return json;
    }

    private static Object price(TieredPrice price) {
        if (!price.isTiered()) {
            return price.base();
        }
        return Map.of(
                "base",
                price.base(),
                "tiers",
                price.tiers().stream()
                        .map(tier -> Map.of("start", tier.start(), "price", tier.price()))
                        .toList());
    }
}
