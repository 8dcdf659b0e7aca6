package dev.streamlens.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Costs come out of NUMERIC(…, 12) columns; the API writes them plainly (0.018, 0, 10), never 0E-12. */
class MetricsAnswerRowTest {

    @Test
    void costIsWrittenWithoutTrailingZerosOrExponent() throws Exception {
        ObjectMapper json = new ObjectMapper().findAndRegisterModules();
        assertThat(json.writeValueAsString(view("0.018000000000"))).contains("\"estimated_cost_usd\":0.018,");
        assertThat(json.writeValueAsString(view("0E-12"))).contains("\"estimated_cost_usd\":0,");
        assertThat(json.writeValueAsString(view("10.000000000000"))).contains("\"estimated_cost_usd\":10,");
        assertThat(json.writeValueAsString(view("0.000000075000"))).contains("\"estimated_cost_usd\":0.000000075,");
        assertThat(json.writeValueAsString(view("0.000000000001"))).contains("\"estimated_cost_usd\":0.000000000001,");
    }

    private static MetricsAnswerRow view(String cost) {
        Instant start = Instant.parse("2026-11-26T08:27:00Z");
        return new MetricsAnswerRow(
                "acme",
                "chat",
                "gpt-4",
                start,
                start.plusSeconds(60),
                1,
                0,
                0,
                1200.0,
                1200.0,
                1200.0,
                1200.0,
                100.0,
                250.0,
                100,
                250,
                new BigDecimal(cost),
                0,
                1,
                0,
                0,
                0,
                0,
                null,
                null,
                null,
                0.2,
                null);
    }
}
