package dev.streamlens.model.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An independent oracle: Pydantic's own calculator ({@code @pydantic/genai-prices} 0.1.8, pinned in
 * src/test/js/genai-prices-oracle and installed by the build) prices the same calls from the same
 * catalog file, and StreamLens's price must equal its {@code calcPrice} to the micro-dollar — the
 * same model found under the same provider, or neither priced. The calls are drawn across every
 * provider of the catalog, with cached, cache-written and reasoning tokens, prompts either side of
 * every tier start and times either side of every dated change.
 */
class CatalogOracleIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CATALOG_FILE = Path.of("src/main/resources/pricing/genai-prices/data.json");
    private static final Path ORACLE = Path.of("target", "genai-prices-oracle");
    private static final BigDecimal PICO_PER_USD = BigDecimal.TEN.pow(12);
    private static final BigDecimal MICRO_DOLLAR = new BigDecimal("0.000001");

    @Test
    void everyCallIsPricedAsPydanticsOwnCalculatorPricesIt() throws Exception {
        assertThat(ORACLE.resolve("node_modules"))
                .as("installed by the build (npm ci)")
                .isDirectory();
        JsonNode catalogJson = JSON.readTree(CATALOG_FILE.toFile());
        List<OracleCalls.Call> calls = OracleCalls.draw(catalogJson, new Random(32));
        JsonNode oracle = OracleCalls.oracle(calls, ORACLE, CATALOG_FILE);
        PriceCatalog catalog = PriceCatalog.bundled();

        List<String> differences = new ArrayList<>();
        Set<String> providersPriced = new HashSet<>();
        int priced = 0;
        for (int i = 0; i < calls.size(); i++) {
            OracleCalls.Call call = calls.get(i);
            JsonNode expected = oracle.get(i);
            var found = catalog.find(call.provider(), call.model());
            if (expected.get("usd").isNull()) {
                if (found.isPresent()) {
                    differences.add(call + ": the oracle prices nothing, StreamLens "
                            + found.get().provider() + "/" + found.get().id());
                }
                continue;
            }
            if (found.isEmpty()) {
                differences.add(call + ": unpriced, the oracle " + expected);
                continue;
            }
            BigDecimal usd = BigDecimal.valueOf(
                            found.get().prices().at(call.time()).picoDollars(call.usage()))
                    .divide(PICO_PER_USD);
            BigDecimal oracleUsd = expected.get("usd").decimalValue();
            if (!found.get().provider().equals(expected.get("provider").asText())
                    || !found.get().id().equals(expected.get("model").asText())
                    || usd.subtract(oracleUsd).abs().compareTo(MICRO_DOLLAR) >= 0) {
                differences.add(call + ": " + found.get().provider() + "/"
                        + found.get().id() + " " + usd + " USD, the oracle " + expected);
            }
            priced++;
            providersPriced.add(expected.get("provider").asText());
        }
        assertThat(differences.size() > 20 ? differences.subList(0, 20) : differences)
                .as("calls priced differently (of %d)", calls.size())
                .isEmpty();
        assertThat(priced).as("calls the oracle priced").isGreaterThanOrEqualTo(200);
        assertThat(providersPriced).as("providers priced").hasSizeGreaterThanOrEqualTo(30);
    }
}
