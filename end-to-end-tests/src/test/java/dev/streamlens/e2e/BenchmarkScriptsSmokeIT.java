package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code benchmarks/run-all.sh --smoke} on what this build packaged: every benchmark script (the
 * query one also with its year, the dashboard in headless Chromium, freshness on
 * {@code ./streamlens up}, the two ABBA comparisons) and every JMH benchmark they call still work,
 * and the result file holds each figure, with its same-run baseline and ratio. Sizes are tiny
 * (seconds per benchmark): the figures mean nothing, that they are produced does. It lives among the
 * end-to-end tests, which run three classes at a time, rather than in {@code benchmarks}, where it
 * would run alone (FreePorts never picks the scripts' fixed ports).
 */
class BenchmarkScriptsSmokeIT {

    private static final Path ROOT = StackProcess.ROOT;

    @Test
    void everyBenchmarkOfTheRunProducesItsFigures() throws Exception {
        Path results = Path.of("target/smoke-results").toAbsolutePath();
        Path log = Files.createDirectories(Path.of("target"))
                .resolve("smoke-run.log")
                .toAbsolutePath();
        ProcessBuilder run = new ProcessBuilder("bash", "benchmarks/run-all.sh", "--smoke")
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        run.environment().put("SL_BENCH_SKIP_BUILD", "1"); // this build has just packaged every module
        run.environment().put("SL_RESULTS_DIR", results.toString());
        Process process = run.start();
        boolean finished = process.waitFor(20, TimeUnit.MINUTES);
        if (!finished) {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        assertThat(finished)
                .as("run-all.sh --smoke finished; output in %s", log)
                .isTrue();
        assertThat(process.exitValue())
                .as("exit code of run-all.sh --smoke; output:\n%s", tail(log))
                .isZero();

        assertCapacityPlots(results);
        JsonNode result;
        try (Stream<Path> files = Files.list(results)) {
            Path newest = files.filter(p -> p.toString().endsWith(".json"))
                    .max(Path::compareTo)
                    .orElseThrow();
            result = new ObjectMapper().readTree(newest.toFile());
        }
        assertThat(result.path("commit").asText()).isNotBlank();
        assertThat(result.path("machine").path("cores").asInt()).isPositive();
        List<String> figures = new ArrayList<>();
        result.path("figures").forEach(f -> {
            figures.add(f.path("benchmark").asText() + " | " + f.path("figure").asText());
            assertThat(f.path("value").asDouble()).as("%s", f).isPositive();
            if (f.has("baseline")) {
                assertThat(f.path("ratio").asDouble())
                        .as("%s", f)
                        .isEqualTo(Math.round(f.path("value").asDouble()
                                        / f.path("baseline_value").asDouble()
                                        * 1000)
                                / 1000.0);
            }
        });
        assertThat(figures)
                .contains(
                        "job | keyedPairing, hashmap",
                        "job | pipeline, hashmap",
                        "job | pipelineWithAlerts, hashmap",
                        "ingest | /health",
                        "ingest | single events, no keys",
                        "ingest | batched events, keys and rate limits",
                        "otlp | JSON batch",
                        "otlp | OTLP protobuf",
                        "otlp | OTLP/JSON",
                        "otlp-grpc | OTLP/HTTP protobuf",
                        "otlp-grpc | OTLP/gRPC",
                        "query | seed call, day",
                        "query | seed call paced p99, day",
                        "query | 1h rollup over 7 days, day",
                        "query | cost per model per day over 30 days, day",
                        "query | seed call, day and year",
                        "postgres-write | plain upserts",
                        "postgres-write | previous write, upsert + hour row per minute",
                        "postgres-write | checkpoint committer",
                        "dashboard | 24h view, API calls alone",
                        "dashboard | 24h view, figures shown",
                        "freshness | median delay at 200 events/s",
                        "freshness | last window's delay after traffic stopped, 200 events/s",
                        // the capacity curve's two steps: acknowledged, and the sampled tenants' rows exact
                        "capacity | acknowledged calls/s at 200 calls/s",
                        "capacity | acknowledged calls/s at 400 calls/s",
                        "capacity | steps whose sampled rows were exact",
                        "capacity | peer: acknowledged calls/s at 400 calls/s",
                        "capacity | peer: steps whose sampled rows were exact",
                        // what the stack's processes took, load generator apart (positive, as every figure)
                        "capacity | stack CPU at 400 calls/s",
                        "capacity | job CPU at 400 calls/s",
                        "capacity | peer: stack CPU at 400 calls/s",
                        "ingest-keys-abba | single events, keys off",
                        "ingest-keys-abba | single events, keys on",
                        "ingest-before-after | single events, A",
                        "ingest-before-after | single events, B",
                        "ingest-before-after | batch calls of 500 events, A",
                        "ingest-before-after | batch calls of 500 events, B");
    }

    /** The capacity curve of each system is drawn: a PNG image in the results. */
    private static void assertCapacityPlots(Path results) throws Exception {
        for (String system : List.of("streamlens", "peer")) {
            Path plot;
            try (Stream<Path> files = Files.list(results)) {
                plot = files.filter(p -> p.getFileName().toString().matches("capacity-.*-" + system + "\\.png"))
                        .max(Path::compareTo)
                        .orElseThrow(() -> new AssertionError("no capacity plot of " + system + " in " + results));
            }
            java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(plot.toFile());
            assertThat(image).as("%s is a PNG image", plot).isNotNull();
            assertThat(image.getWidth()).as("width of %s", plot).isGreaterThan(400);
        }
    }

    private static String tail(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
