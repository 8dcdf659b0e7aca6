package dev.streamlens.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.model.Topics;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/** What every run of the job must end with, whatever happened on the way. */
final class PipelineAssertions {

    private PipelineAssertions() {}

    /**
     * Waits until llm_metrics, llm_metrics_hourly and the committed llm.metrics (latest revision of
     * each window) equal the expectation, then checks that no (window, revision) record is doubled
     * and that each orphan response was dead-lettered exactly once.
     */
    static void assertOutputsMatch(ExpectedMetrics expected, String kafka, DataSource postgres) throws Exception {
        assertOutputsMatch(expected, kafka, postgres, expected.orphans);
    }

    /** As above, with this many records on llm.dead-letter (orphans and rejected records). */
    static void assertOutputsMatch(ExpectedMetrics expected, String kafka, DataSource postgres, long deadLetters)
            throws Exception {
        assertMetricsMatch(expected, kafka, postgres);
        // An unclaimed response waits for a late request until that could no longer count anywhere.
        JobRun.awaitNoDifferences(
                "llm.dead-letter",
                () -> {
                    int written =
                            PipelineOutputs.committed(kafka, Topics.DEAD_LETTER).size();
                    return written == deadLetters
                            ? List.of()
                            : List.of(deadLetters + " dead letters expected, " + written + " written");
                },
                Duration.ofMinutes(1));
    }

    /**
     * Waits until llm_metrics, llm_metrics_hourly and the committed llm.metrics (latest revision of
     * each window) equal the expectation, then checks that no (window, revision) record is doubled.
     */
    static void assertMetricsMatch(ExpectedMetrics expected, String kafka, DataSource postgres) throws Exception {
        JobRun.awaitNoDifferences(
                "llm_metrics",
                () -> MetricsComparison.differences(expected, PipelineOutputs.table(postgres)),
                Duration.ofMinutes(3));
        JobRun.awaitNoDifferences(
                "llm_metrics_hourly",
                () -> MetricsComparison.differences(
                        expected.hourly(), PipelineOutputs.table(postgres, "llm_metrics_hourly")),
                Duration.ofMinutes(1));
        JobRun.awaitNoDifferences(
                "llm.metrics (latest revision per window)",
                () -> MetricsComparison.differences(
                        expected, PipelineOutputs.latestRevisions(PipelineOutputs.metricsRecords(kafka))),
                Duration.ofMinutes(1));

        List<JsonNode> records = PipelineOutputs.metricsRecords(kafka);
        Set<String> windowRevisions = new HashSet<>();
        for (JsonNode r : records) {
            assertThat(windowRevisions.add(
                            r.get("tenant_id").asText() + "|" + r.get("route").asText() + "|"
                                    + r.get("model").asText() + "|"
                                    + r.get("window_start").asText() + "#" + r.get("revision")
                                    + "@" + r.path("job_run").asText("")))
                    .as("duplicate (window, revision) on llm.metrics: %s", r)
                    .isTrue();
        }
    }
}
