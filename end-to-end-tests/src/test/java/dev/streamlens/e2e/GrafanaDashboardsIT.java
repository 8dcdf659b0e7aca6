package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.streamlens.testing.PostgresExtension;
import dev.streamlens.testing.TestDirectories;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Grafana dashboards of {@code deploy/grafana}, without a Grafana: every SQL panel runs against
 * a real PostgreSQL (the {@code sql/} schema) holding known rows, its macros expanded as Grafana's
 * PostgreSQL data source expands them, and its columns and values are checked against sums computed
 * here; the dashboards fit their provisioning; every metric a Prometheus panel reads is one a
 * running stack exports (both services' {@code /q/metrics}, the job's metrics through Flink's REST API).
 */
class GrafanaDashboardsIT {

    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final Path GRAFANA = StackProcess.ROOT.resolve("deploy/grafana");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private static final String[] ROUTES = {"chat", "search"};
    private static final String[] MODELS = {"gpt-4o", "claude-3-5-sonnet"};
    private static final int MINUTES = 120;

    /** One known minute row. */
    private record Minute(
            String tenant,
            String route,
            String model,
            Instant start,
            long requests,
            long errors,
            long timeouts,
            long prompt,
            long completion,
            long cached,
            long reasoning,
            BigDecimal cost,
            long unpriced,
            Double p95) {}

    @Test
    void everySqlPanelGivesTheFiguresOfTheRowsInTheTables() throws Exception {
        List<Minute> minutes = knownRows();
        write(minutes);
        JsonNode usage =
                JSON.readTree(GRAFANA.resolve("dashboards/llm-usage.json").toFile());
        // The dashboard's range: the two hours of data, as Grafana sends it.
        Instant from = T0;
        Instant to = T0.plus(Duration.ofHours(2)).minusMillis(1);
        List<Minute> acme =
                minutes.stream().filter(m -> m.tenant().equals("acme")).toList();

        assertThat(query(usage.at("/templating/list/0/query").asText(), from, to, "acme"))
                .extracting(r -> r.get(0))
                .containsExactly("acme", "globex");

        Map<String, List<List<Object>>> results = new LinkedHashMap<>();
        Map<String, List<String>> columns = new LinkedHashMap<>();
        for (JsonNode panel : usage.get("panels")) {
            String sql = panel.at("/targets/0/rawSql").asText();
            assertThat(sql).as(panel.get("title").asText()).isNotBlank();
            String title = panel.get("title").asText();
            columns.put(title, columnsOf(sql, from, to, "acme"));
            results.put(title, query(sql, from, to, "acme"));
        }

        long requests = acme.stream().mapToLong(Minute::requests).sum();
        long errors = acme.stream().mapToLong(Minute::errors).sum();
        assertThat(num(results.get("Requests").get(0).get(0))).isEqualByComparingTo(BigDecimal.valueOf(requests));
        assertThat(columns.get("Error rate")).containsExactly("error rate");
        assertThat(num(results.get("Error rate").get(0).get(0)).doubleValue())
                .isCloseTo((double) errors / requests, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(num(results.get("Timeouts").get(0).get(0)))
                .isEqualByComparingTo(BigDecimal.valueOf(
                        acme.stream().mapToLong(Minute::timeouts).sum()));
        assertThat(num(results.get("Cost").get(0).get(0))).isEqualByComparingTo(sumCost(acme));

        // Per minute: the time bucket (epoch seconds) and the sums of the four series.
        assertThat(columns.get("Requests, errors and timeouts per minute"))
                .containsExactly("time", "requests", "errors", "timeouts");
        List<List<Object>> perMinute = results.get("Requests, errors and timeouts per minute");
        assertThat(perMinute).hasSize(MINUTES);
        for (List<Object> row : perMinute) {
            Instant minute = Instant.ofEpochSecond(((Number) row.get(0)).longValue());
            List<Minute> those =
                    acme.stream().filter(m -> m.start().equals(minute)).toList();
            assertThat(longs(row.subList(1, 4)))
                    .containsExactly(
                            those.stream().mapToLong(Minute::requests).sum(),
                            those.stream().mapToLong(Minute::errors).sum(),
                            those.stream().mapToLong(Minute::timeouts).sum());
        }

        assertThat(columns.get("Latency p95 by route and model")).containsExactly("time", "metric", "p95_latency_ms");
        assertThat(results.get("Latency p95 by route and model"))
                .hasSize((int) acme.stream().filter(m -> m.p95() != null).count())
                .allSatisfy(
                        row -> assertThat((String) row.get(1)).matches("(chat|search) / (gpt-4o|claude-3-5-sonnet)"));

        // Per hour, from the hourly rollup: tokens, and cost per model.
        assertThat(columns.get("Tokens per hour"))
                .containsExactly("time", "tokens in", "tokens out", "cached (of in)", "reasoning (of out)");
        for (List<Object> row : results.get("Tokens per hour")) {
            List<Minute> hour = inHour(acme, ((Number) row.get(0)).longValue());
            assertThat(longs(row.subList(1, 5)))
                    .containsExactly(
                            hour.stream().mapToLong(Minute::prompt).sum(),
                            hour.stream().mapToLong(Minute::completion).sum(),
                            hour.stream().mapToLong(Minute::cached).sum(),
                            hour.stream().mapToLong(Minute::reasoning).sum());
        }
        assertThat(results.get("Tokens per hour")).hasSize(2);
        assertThat(columns.get("Cost per hour by model")).containsExactly("time", "metric", "cost");
        assertThat(results.get("Cost per hour by model"))
                .hasSize(2 * MODELS.length)
                .allSatisfy(row -> {
                    List<Minute> hour = inHour(acme, ((Number) row.get(0)).longValue()).stream()
                            .filter(m -> m.model().equals(row.get(1)))
                            .toList();
                    assertThat(num(row.get(2))).isEqualByComparingTo(sumCost(hour));
                });

        assertThat(columns.get("By route and model"))
                .containsExactly("route", "model", "requests", "errors", "error rate %", "cost USD", "unpriced");
        List<List<Object>> table = results.get("By route and model");
        assertThat(table).hasSize(ROUTES.length * MODELS.length);
        for (List<Object> row : table) {
            List<Minute> series = acme.stream()
                    .filter(m -> m.route().equals(row.get(0)) && m.model().equals(row.get(1)))
                    .toList();
            long r = series.stream().mapToLong(Minute::requests).sum();
            long e = series.stream().mapToLong(Minute::errors).sum();
            assertThat(num(row.get(2)).longValueExact()).isEqualTo(r);
            assertThat(num(row.get(3)).longValueExact()).isEqualTo(e);
            assertThat(num(row.get(4)))
                    .isEqualByComparingTo(
                            BigDecimal.valueOf(100L * e).divide(BigDecimal.valueOf(r), 2, RoundingMode.HALF_UP));
            assertThat(num(row.get(5))).isEqualByComparingTo(sumCost(series));
            assertThat(num(row.get(6)).longValueExact())
                    .isEqualTo(series.stream().mapToLong(Minute::unpriced).sum());
        }
        assertThat(table).extracting(row -> num(row.get(5))).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    }

    @Test
    void theDashboardsFitTheirProvisioningAndTheComposeFile() throws Exception {
        JsonNode datasources = YAML.readTree(
                GRAFANA.resolve("provisioning/datasources/datasources.yml").toFile());
        Set<String> uids = new HashSet<>();
        datasources.get("datasources").forEach(d -> uids.add(d.get("uid").asText()));
        assertThat(uids).containsExactlyInAnyOrder("streamlens-postgres", "streamlens-prometheus");
        JsonNode postgres = datasources.at("/datasources/0");
        assertThat(postgres.at("/secureJsonData/password").asText())
                .as("from the environment, never in the file")
                .isEqualTo("$POSTGRES_PASSWORD");
        JsonNode provider = YAML.readTree(GRAFANA.resolve("provisioning/dashboards/dashboards.yml")
                        .toFile())
                .at("/providers/0");
        String dashboardsPath = provider.at("/options/path").asText();

        JsonNode compose = YAML.readTree(
                        StackProcess.ROOT.resolve("docker-compose.yml").toFile())
                .get("services");
        List<String> mounts = new ArrayList<>();
        compose.at("/grafana/volumes").forEach(v -> mounts.add(v.asText()));
        assertThat(mounts)
                .contains(
                        "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro",
                        "./deploy/grafana/dashboards:" + dashboardsPath + ":ro");
        assertThat(compose.at("/grafana/environment/POSTGRES_PASSWORD").asText())
                .contains("POSTGRES_PASSWORD");
        assertThat(compose.at("/grafana/image").asText()).matches("grafana/grafana:\\d+\\.\\d+\\.\\d+");
        assertThat(compose.at("/prometheus/image").asText()).matches("prom/prometheus:v\\d+\\.\\d+\\.\\d+");
        for (String flink : List.of("jobmanager", "taskmanager")) {
            assertThat(compose.at("/" + flink + "/environment/FLINK_PROPERTIES").asText())
                    .contains(
                            "metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                    .contains("metrics.reporter.prom.port: 9249");
        }
        JsonNode scrapes = YAML.readTree(StackProcess.ROOT
                        .resolve("deploy/prometheus/prometheus.yml")
                        .toFile())
                .get("scrape_configs");
        Set<String> targets = new TreeSet<>();
        scrapes.forEach(s -> s.at("/static_configs/0/targets").forEach(t -> targets.add(t.asText())));
        assertThat(targets)
                .containsExactlyInAnyOrder(
                        "ingest-service:8080", "query-service:8081", "jobmanager:9249", "taskmanager:9249");
        targets.forEach(t -> assertThat(compose.has(t.substring(0, t.indexOf(':'))))
                .as("a compose service: %s", t)
                .isTrue());

        Set<String> dashboardUids = new HashSet<>();
        try (var files = Files.list(GRAFANA.resolve("dashboards"))) {
            for (Path file : files.toList()) {
                JsonNode dashboard = JSON.readTree(file.toFile());
                assertThat(dashboardUids.add(dashboard.get("uid").asText()))
                        .as("unique uid in %s", file)
                        .isTrue();
                assertThat(dashboard.get("title").asText()).startsWith("StreamLens: ");
                Set<Integer> ids = new HashSet<>();
                for (JsonNode panel : dashboard.get("panels")) {
                    assertThat(ids.add(panel.get("id").asInt()))
                            .as("unique panel id in %s", file)
                            .isTrue();
                    JsonNode grid = panel.get("gridPos");
                    assertThat(grid.get("x").asInt() + grid.get("w").asInt())
                            .as("%s fits 24 columns", panel.get("title"))
                            .isLessThanOrEqualTo(24);
                    assertThat(uids).contains(panel.at("/datasource/uid").asText());
                    panel.get("targets")
                            .forEach(t -> assertThat(t.at("/datasource/uid").asText())
                                    .isEqualTo(panel.at("/datasource/uid").asText()));
                }
            }
        }
        assertThat(dashboardUids).containsExactlyInAnyOrder("streamlens-llm-usage", "streamlens-pipeline-health");
        assertThat(compose.at("/grafana/environment/GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
                        .asText())
                .isEqualTo(dashboardsPath + "/llm-usage.json");
    }

    @Test
    void everyMetricAPrometheusPanelReadsIsOneARunningStackExports() throws Exception {
        Set<String> wanted = new TreeSet<>();
        JsonNode health =
                JSON.readTree(GRAFANA.resolve("dashboards/pipeline-health.json").toFile());
        Matcher names = Pattern.compile("\\b(streamlens_[a-z_]+|flink_[A-Za-z_]+|http_server_[a-z_]+)\\b")
                .matcher("");
        for (JsonNode panel : health.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                names.reset(target.get("expr").asText());
                while (names.find()) {
                    wanted.add(names.group(1));
                }
            }
        }
        assertThat(wanted).hasSizeGreaterThan(10);

        Path home = TestDirectories.fresh("e2e-grafana");
        // A tight rate limit, so the rate-limited counter exists too.
        Map<String, String> settings = StackProcess.settings(
                home,
                Map.of(
                        "STREAMLENS_INGEST_RATE_LIMIT_EVENTS_PER_SECOND",
                        "5",
                        "STREAMLENS_CHECKPOINT_INTERVAL",
                        "2s",
                        "STREAMLENS_IDLE_TIMEOUT",
                        "3s",
                        "STREAMLENS_WINDOW",
                        "10s"));
        try (StackProcess stack = StackProcess.up(settings)) {
            String ingest = "http://127.0.0.1:" + settings.get("STREAMLENS_INGEST_PORT");
            String queryUrl = "http://127.0.0.1:" + settings.get("STREAMLENS_QUERY_PORT");
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 15; i++) { // accepted, then rate limited; one invalid (rejected)
                String id = "grafana-" + i;
                post(
                        http,
                        ingest + "/v1/llm/request",
                        "{\"request_id\": \"" + id + "\", \"tenant_id\": \"acme\", "
                                + "\"route\": \"chat\", \"model\": \"gpt-4o\", \"timestamp\": \"" + Instant.now()
                                + "\"}");
            }
            // More events at once than the tenant's burst: rate limited whatever the pace of the posts above
            // (on a loaded machine they may refill the bucket as fast as they drain it).
            StringBuilder burst = new StringBuilder("[");
            for (int i = 0; i < 20; i++) {
                burst.append(i == 0 ? "" : ",")
                        .append("{\"type\": \"request\", \"request_id\": \"grafana-burst-")
                        .append(i)
                        .append("\", \"tenant_id\": \"acme\", \"route\": \"chat\", \"model\": \"gpt-4o\", ")
                        .append("\"timestamp\": \"")
                        .append(Instant.now())
                        .append("\"}");
            }
            post(http, ingest + "/v1/llm/events", burst.append("]").toString());
            post(http, ingest + "/v1/llm/request", "{\"request_id\": \"broken\"}");
            get(http, queryUrl + "/v1/metrics?tenant_id=acme");

            Set<String> exported = new TreeSet<>();
            exported.addAll(prometheusNames(get(http, ingest + "/q/metrics")));
            exported.addAll(prometheusNames(get(http, queryUrl + "/q/metrics")));
            // The job: its metric names through Flink's REST API, as the Prometheus reporter names them.
            String flink = "http://127.0.0.1:" + settings.get("STREAMLENS_FLINK_UI_PORT");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Set<String> wantedFromJob = new TreeSet<>(
                    wanted.stream().filter(n -> n.startsWith("flink_")).toList());
            Set<String> fromJob = new TreeSet<>();
            do {
                fromJob = flinkMetricNames(http, flink);
                Thread.sleep(1000);
            } while (!fromJob.containsAll(wantedFromJob) && System.nanoTime() < deadline);
            exported.addAll(fromJob);
            assertThat(exported).containsAll(wanted);
        }
    }

    /** What Flink's Prometheus reporter would call the job's metrics: operator and job scope. */
    private static Set<String> flinkMetricNames(HttpClient http, String flink) throws Exception {
        Set<String> names = new TreeSet<>();
        JsonNode jobs = JSON.readTree(get(http, flink + "/jobs")).get("jobs");
        for (JsonNode job : jobs) {
            String id = job.get("id").asText();
            JSON.readTree(get(http, flink + "/jobs/" + id + "/metrics"))
                    .forEach(
                            m -> names.add("flink_jobmanager_job_" + m.get("id").asText()));
            for (JsonNode vertex :
                    JSON.readTree(get(http, flink + "/jobs/" + id)).get("vertices")) {
                JSON.readTree(get(
                                http,
                                flink + "/jobs/" + id + "/vertices/"
                                        + vertex.get("id").asText() + "/metrics"))
                        .forEach(m -> {
                            String metric = m.get("id").asText(); // "<subtask>.<operator>.<name>" or "<subtask>.<name>"
                            String name = metric.substring(metric.lastIndexOf('.') + 1);
                            names.add((metric.chars().filter(c -> c == '.').count() >= 2
                                            ? "flink_taskmanager_job_task_operator_"
                                            : "flink_taskmanager_job_task_")
                                    + name);
                        });
            }
        }
        return names;
    }

    private static Set<String> prometheusNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        // A summary's quantiles are lines of its base name; _count and _sum are their own names.
        return names;
    }

    // ---- the SQL panels ----

    /** Grafana's PostgreSQL macros (pkg/tsdb/grafana-postgresql-datasource/macros.go) and a single-value variable. */
    static String expand(String sql, Instant from, Instant to, String tenant) {
        Matcher macro = Pattern.compile("\\$([_a-zA-Z0-9]+)\\(([^)]*)\\)").matcher(sql);
        StringBuilder out = new StringBuilder();
        while (macro.find()) {
            List<String> args = new ArrayList<>();
            for (String arg : macro.group(2).split(",")) {
                args.add(arg.trim());
            }
            String replacement = switch (macro.group(1)) {
                case "__timeFilter" ->
                    args.get(0) + " BETWEEN '" + rfc3339Nano(from) + "' AND '" + rfc3339Nano(to) + "'";
                case "__timeFrom" -> "'" + rfc3339Nano(from) + "'";
                case "__timeTo" -> "'" + rfc3339Nano(to) + "'";
                case "__timeGroup", "__timeGroupAlias" -> {
                    long seconds = interval(args.get(1).replace("'", ""));
                    yield "floor(extract(epoch from " + args.get(0) + ")/" + seconds + ")*" + seconds
                            + (macro.group(1).equals("__timeGroupAlias") ? " AS \"time\"" : "");
                }
                default -> throw new AssertionError("a macro this test does not expand: " + macro.group());
            };
            macro.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        macro.appendTail(out);
        // Grafana interpolates a single-value variable unquoted, doubling quotes (the panel quotes it).
        return out.toString().replace("$tenant", tenant.replace("'", "''"));
    }

    /** Go's time.RFC3339Nano: trailing zeros of the fraction dropped, Z for UTC. */
    private static String rfc3339Nano(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }

    private static long interval(String text) {
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> n;
            case 'm' -> n * 60;
            case 'h' -> n * 3600;
            case 'd' -> n * 86400;
            default -> throw new AssertionError("interval " + text);
        };
    }

    private static List<List<Object>> query(String sql, Instant from, Instant to, String tenant) throws Exception {
        try (Connection c = POSTGRES.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(expand(sql, from, to, tenant))) {
            List<List<Object>> rows = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    private static List<String> columnsOf(String sql, Instant from, Instant to, String tenant) throws Exception {
        try (Connection c = POSTGRES.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(expand(sql, from, to, tenant))) {
            ResultSetMetaData meta = rs.getMetaData();
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                names.add(meta.getColumnLabel(i));
            }
            return names;
        }
    }

    /** SQL sums of integers are NUMERIC in PostgreSQL; compare every figure as a decimal. */
    private static BigDecimal num(Object value) {
        return value instanceof BigDecimal decimal ? decimal : new BigDecimal(value.toString());
    }

    private static List<Long> longs(List<Object> values) {
        return values.stream().map(v -> num(v).longValueExact()).toList();
    }

    private static List<Minute> inHour(List<Minute> minutes, long hourEpochSeconds) {
        Instant hour = Instant.ofEpochSecond(hourEpochSeconds);
        return minutes.stream()
                .filter(m -> !m.start().isBefore(hour) && m.start().isBefore(hour.plusSeconds(3600)))
                .toList();
    }

    private static BigDecimal sumCost(List<Minute> minutes) {
        return minutes.stream().map(Minute::cost).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** Two hours of acme (four series) and of globex (one), with every figure varying. */
    private static List<Minute> knownRows() {
        java.util.Random random = new java.util.Random(15);
        List<Minute> rows = new ArrayList<>();
        for (int i = 0; i < MINUTES; i++) {
            Instant start = T0.plusSeconds(60L * i);
            for (String route : ROUTES) {
                for (String model : MODELS) {
                    long requests = random.nextInt(30);
                    rows.add(new Minute(
                            "acme",
                            route,
                            model,
                            start,
                            requests,
                            requests == 0 ? 0 : random.nextInt((int) requests + 1),
                            random.nextInt(3),
                            requests * 300,
                            requests * 80,
                            requests * 20,
                            requests * 5,
                            new BigDecimal(random.nextInt(1_000_000)).movePointLeft(9),
                            model.startsWith("claude") ? 0 : random.nextInt(2),
                            requests == 0 ? null : 500.0 + random.nextInt(3000)));
                }
            }
            rows.add(new Minute(
                    "globex", "chat", "gpt-4o", start, 7, 1, 0, 700, 100, 0, 0, new BigDecimal("0.01"), 0, 900.0));
        }
        return rows;
    }

    /** The minute rows, and their hours summed as the job's committer writes them. */
    private static void write(List<Minute> minutes) throws Exception {
        String columns =
                "tenant_id, route, model, window_start, window_end, requests, errors, timeouts, total_prompt_tokens, "
                        + "total_completion_tokens, cached_prompt_tokens, reasoning_tokens, estimated_cost_usd, unpriced_requests, "
                        + "p95_latency_ms";
        try (Connection c = POSTGRES.dataSource().getConnection()) {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO llm_metrics (" + columns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (Minute m : minutes) {
                    bind(insert, m, m.start(), m.start().plusSeconds(60), m);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            Map<String, List<Minute>> hours = new TreeMap<>();
            for (Minute m : minutes) {
                Instant hour = Instant.ofEpochSecond(Math.floorDiv(m.start().getEpochSecond(), 3600) * 3600);
                hours.computeIfAbsent(
                                m.tenant() + "|" + m.route() + "|" + m.model() + "|" + hour, k -> new ArrayList<>())
                        .add(m);
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO llm_metrics_hourly (" + columns
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (List<Minute> hour : hours.values()) {
                    Minute first = hour.get(0);
                    Instant start =
                            Instant.ofEpochSecond(Math.floorDiv(first.start().getEpochSecond(), 3600) * 3600);
                    Minute sum = new Minute(
                            first.tenant(),
                            first.route(),
                            first.model(),
                            start,
                            hour.stream().mapToLong(Minute::requests).sum(),
                            hour.stream().mapToLong(Minute::errors).sum(),
                            hour.stream().mapToLong(Minute::timeouts).sum(),
                            hour.stream().mapToLong(Minute::prompt).sum(),
                            hour.stream().mapToLong(Minute::completion).sum(),
                            hour.stream().mapToLong(Minute::cached).sum(),
                            hour.stream().mapToLong(Minute::reasoning).sum(),
                            sumCost(hour),
                            hour.stream().mapToLong(Minute::unpriced).sum(),
                            null);
                    bind(insert, sum, start, start.plusSeconds(3600), sum);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
    }

    private static void bind(PreparedStatement ps, Minute m, Instant start, Instant end, Minute values)
            throws Exception {
        ps.setString(1, m.tenant());
        ps.setString(2, m.route());
        ps.setString(3, m.model());
        ps.setObject(4, java.time.OffsetDateTime.ofInstant(start, java.time.ZoneOffset.UTC));
        ps.setObject(5, java.time.OffsetDateTime.ofInstant(end, java.time.ZoneOffset.UTC));
        ps.setLong(6, values.requests());
        ps.setLong(7, values.errors());
        ps.setLong(8, values.timeouts());
        ps.setLong(9, values.prompt());
        ps.setLong(10, values.completion());
        ps.setLong(11, values.cached());
        ps.setLong(12, values.reasoning());
        ps.setBigDecimal(13, values.cost());
        ps.setLong(14, values.unpriced());
        ps.setObject(15, values.p95());
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("GET %s", url).isEqualTo(200);
        return answer.body();
    }

    private static void post(HttpClient http, String url, String body) throws Exception {
        http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.discarding());
    }
}
