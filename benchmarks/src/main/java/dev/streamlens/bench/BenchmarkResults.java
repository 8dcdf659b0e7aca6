package dev.streamlens.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Turns the figures one {@code benchmarks/run-all.sh} run recorded (tab-separated: benchmark,
 * figure, value, unit, baseline figure) into {@code benchmarks/results/<time>-<commit>.json}: each
 * figure with its baseline from the same run and the ratio, the machine and the commit; then
 * prints a table against the previous result kept there.
 * Usage: {@code BenchmarkResults <figures.tsv> <results dir> <commit>}.
 */
public final class BenchmarkResults {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One recorded figure; {@code baseline} names another figure of the same benchmark, or is empty. */
    record Figure(String benchmark, String name, double value, String unit, String baseline) {
        String key() {
            return benchmark + " | " + name;
        }
    }

    private BenchmarkResults() {}

    public static void main(String[] args) throws IOException {
        List<Figure> figures = read(Path.of(args[0]));
        Path dir = Files.createDirectories(Path.of(args[1]));
        String commit = args[2];
        Optional<Path> previous = newest(dir);
        String time = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmm'Z'", Locale.ROOT)
                .format(Instant.now().atOffset(ZoneOffset.UTC));
        Path file = dir.resolve(time + "-" + commit + ".json");
        ObjectNode result = toJson(figures, commit, Machine.describe());
        JSON.writeValue(file.toFile(), result);
        System.out.println("written: " + file);
        System.out.print(comparison(
                result,
                previous.isPresent() ? JSON.readTree(previous.get().toFile()) : null,
                previous.map(p -> p.getFileName().toString()).orElse(null)));
    }

    static List<Figure> read(Path tsv) throws IOException {
        List<Figure> figures = new ArrayList<>();
        for (String line : Files.readAllLines(tsv)) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            figures.add(new Figure(f[0], f[1], Double.parseDouble(f[2]), f[3], f.length > 4 ? f[4] : ""));
        }
        return figures;
    }

    /** The result: every figure with its baseline's value and the ratio (value ÷ baseline), the machine, the commit. */
    static ObjectNode toJson(List<Figure> figures, String commit, Map<String, Object> machine) {
        Map<String, Figure> byKey = new HashMap<>();
        figures.forEach(f -> byKey.put(f.key(), f));
        ObjectNode result = JSON.createObjectNode();
        result.put("time", Instant.now().toString());
        result.put("commit", commit);
        result.set("machine", JSON.valueToTree(machine));
        ArrayNode list = result.putArray("figures");
        for (Figure f : figures) {
            ObjectNode node = list.addObject()
                    .put("benchmark", f.benchmark())
                    .put("figure", f.name())
                    .put("value", f.value())
                    .put("unit", f.unit());
            Figure baseline = f.baseline().isEmpty() ? null : byKey.get(f.benchmark() + " | " + f.baseline());
            if (!f.baseline().isEmpty() && baseline == null) {
                throw new IllegalArgumentException(
                        "figure " + f.key() + " names a baseline not recorded: " + f.baseline());
            }
            if (baseline != null) {
                node.put("baseline", baseline.name())
                        .put("baseline_value", baseline.value())
                        .put("ratio", baseline.value() == 0 ? 0 : round(f.value() / baseline.value()));
            }
        }
        return result;
    }

    /** A Markdown table: ratios first (they carry over between machines), then every figure against the previous run. */
    static String comparison(JsonNode now, JsonNode before, String beforeName) {
        Map<String, JsonNode> old = new HashMap<>();
        if (before != null) {
            before.path("figures")
                    .forEach(f -> old.put(
                            f.path("benchmark").asText() + " | "
                                    + f.path("figure").asText(),
                            f));
        }
        StringBuilder out = new StringBuilder();
        out.append(
                before == null
                        ? "\nno earlier result to compare with\n"
                        : "\ncompared with " + beforeName + " (commit "
                                + before.path("commit").asText() + ")\n");
        out.append("\n| ratio: figure ÷ its baseline in the same run | now | before |\n|---|---|---|\n");
        now.path("figures").forEach(f -> {
            if (f.has("ratio")) {
                JsonNode b = old.get(
                        f.path("benchmark").asText() + " | " + f.path("figure").asText());
                // a ratio against another baseline is another figure: nothing to compare with
                boolean sameBaseline = b != null
                        && b.path("baseline").asText().equals(f.path("baseline").asText());
                out.append("| ")
                        .append(f.path("benchmark").asText())
                        .append(": ")
                        .append(f.path("figure").asText())
                        .append(" ÷ ")
                        .append(f.path("baseline").asText())
                        .append(" | ")
                        .append(String.format(
                                Locale.ROOT, "%.2f", f.path("ratio").asDouble()))
                        .append(" | ")
                        .append(
                                sameBaseline && b.has("ratio")
                                        ? String.format(
                                                Locale.ROOT,
                                                "%.2f",
                                                b.path("ratio").asDouble())
                                        : "—")
                        .append(" |\n");
            }
        });
        out.append("\n| benchmark | figure | now | before | now ÷ before |\n|---|---|---|---|---|\n");
        now.path("figures").forEach(f -> {
            JsonNode b = old.get(
                    f.path("benchmark").asText() + " | " + f.path("figure").asText());
            double value = f.path("value").asDouble();
            out.append("| ")
                    .append(f.path("benchmark").asText())
                    .append(" | ")
                    .append(f.path("figure").asText())
                    .append(" | ")
                    .append(format(value))
                    .append(' ')
                    .append(f.path("unit").asText())
                    .append(" | ")
                    .append(b == null ? "—" : format(b.path("value").asDouble()))
                    .append(" | ")
                    .append(
                            b == null || b.path("value").asDouble() == 0
                                    ? "—"
                                    : String.format(
                                            Locale.ROOT,
                                            "%.2f",
                                            value / b.path("value").asDouble()))
                    .append(" |\n");
        });
        return out.toString();
    }

    /** The newest result file in the directory (names start with their UTC time, so they sort). */
    static Optional<Path> newest(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .max(Path::compareTo);
        }
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? String.format(Locale.ROOT, "%,.0f", value)
                : String.format(Locale.ROOT, "%,.2f", value);
    }

    private static double round(double ratio) {
        return Math.round(ratio * 1000) / 1000.0;
    }

    /** What machine the figures come from. */
    static final class Machine {
        private Machine() {}

        static Map<String, Object> describe() {
            Map<String, Object> machine = new java.util.LinkedHashMap<>();
            machine.put("cores", Runtime.getRuntime().availableProcessors());
            machine.put(
                    "cpu", firstValue(Path.of("/proc/cpuinfo"), "model name").orElse("unknown"));
            machine.put(
                    "memory_gb",
                    firstValue(Path.of("/proc/meminfo"), "MemTotal")
                            .map(kb -> Math.round(Long.parseLong(kb.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0))
                            .orElse(0L));
            machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
            machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
            return machine;
        }

        private static Optional<String> firstValue(Path file, String key) {
            try (Stream<String> lines = Files.lines(file)) {
                return lines.filter(l -> l.startsWith(key))
                        .findFirst()
                        .map(l -> l.substring(l.indexOf(':') + 1).trim());
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
    }
}
