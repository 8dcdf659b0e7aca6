package dev.streamlens.query.prices;

import dev.streamlens.model.FieldError;
import dev.streamlens.model.Rfc3339;
import dev.streamlens.model.pricing.PriceCatalog;
import dev.streamlens.model.pricing.PriceSet;
import dev.streamlens.model.pricing.TieredPrice;
import dev.streamlens.query.QueryAnswers;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The price catalog (docs/PRICING.md): {@code GET /v1/prices} says which catalog and of which
 * date; {@code GET /v1/prices/model?model=…&provider=…&at=…} finds a model as a call's pricing
 * would, with the prices in force at that time — to see why a call is priced as it is, or unpriced.
 */
@Path("/v1/prices")
@Produces(MediaType.APPLICATION_JSON)
public class PricesResource {

    private static final PriceCatalog CATALOG = PriceCatalog.bundled();
    private static final PriceCatalog.Source SOURCE = PriceCatalog.bundledSource();

    @GET
    @Operation(summary = "The price catalog: its source, date and size")
    public Map<String, Object> catalog() {
        Map<String, Object> catalog = new LinkedHashMap<>();
        catalog.put("name", SOURCE.name());
        catalog.put("publisher", SOURCE.publisher());
        catalog.put("licence", SOURCE.licence());
        catalog.put("url", SOURCE.url());
        catalog.put("date", SOURCE.date());
        catalog.put("providers", CATALOG.providerCount());
        catalog.put("models", CATALOG.modelCount());
        return Map.of("catalog", catalog);
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
