package dev.streamlens.e2e;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of docs/ARCHITECTURE.md, checked over every module's compiled main classes
 * (each module has its own package, so a rule over packages is a rule over modules). Maven already
 * refuses a dependency a pom does not declare; these rules say which declarations are allowed.
 */
class ArchitectureTest {

    private static final String[] MODULES = {
        "event-model",
        "service-access",
        "embedded-infra",
        "test-support",
        "flink-job",
        "ingest-service",
        "query-service",
        "local-launcher",
        "benchmarks"
    };

    private static final String[] OTHER_THAN_MODEL = {
        "dev.streamlens.access..",
        "dev.streamlens.infra..",
        "dev.streamlens.testing..",
        "dev.streamlens.job..",
        "dev.streamlens.ingest..",
        "dev.streamlens.query..",
        "dev.streamlens.launcher..",
        "dev.streamlens.bench.."
    };

    private static JavaClasses classes;

    @BeforeAll
    static void importEveryModule() {
        // The working directory of a module's tests is the module; the others are its siblings.
        List<Path> outputs = Arrays.stream(MODULES)
                .map(m -> Path.of("..", m, "target", "classes"))
                .toList();
        outputs.forEach(p -> {
            if (!Files.isDirectory(p)) {
                throw new IllegalStateException(p + " is missing: build every module first (./mvnw test)");
            }
        });
        classes = new ClassFileImporter().importPaths(outputs);
        for (String module :
                new String[] {"model", "access", "infra", "testing", "job", "ingest", "query", "launcher", "bench"}) {
            if (!classes.containPackage("dev.streamlens." + module)) {
                throw new IllegalStateException("no class of dev.streamlens." + module + " was imported");
            }
        }
    }

    @Test
    void theEventModelIsTheSharedBaseAndDependsOnNoOtherModule() {
        check(noClasses()
                .that()
                .resideInAPackage("dev.streamlens.model..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(OTHER_THAN_MODEL)
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.flink..", "io.quarkus..", "jakarta.ws.rs.."));
    }

    @Test
    void theServicesShareAccessAndTheEventModelOnly() {
        for (String service : new String[] {"ingest", "query"}) {
            String other = service.equals("ingest") ? "query" : "ingest";
            check(noClasses()
                    .that()
                    .resideInAPackage("dev.streamlens." + service + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "dev.streamlens." + other + "..",
                            "dev.streamlens.job..",
                            "dev.streamlens.infra..",
                            "dev.streamlens.testing..",
                            "dev.streamlens.launcher..",
                            "org.apache.flink.."));
        }
        check(noClasses()
                .that()
                .resideInAPackage("dev.streamlens.access..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.streamlens.ingest..", "dev.streamlens.query..", "dev.streamlens.job.."));
    }

    @Test
    void theJobKnowsNothingOfTheServicesOrTheirFramework() {
        check(noClasses()
                .that()
                .resideInAPackage("dev.streamlens.job..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.streamlens.ingest..",
                        "dev.streamlens.query..",
                        "dev.streamlens.access..",
                        "dev.streamlens.infra..",
                        "dev.streamlens.testing..",
                        "dev.streamlens.launcher..",
                        "io.quarkus.."));
    }

    @Test
    void productionCodeNeverUsesTestSupport() {
        check(noClasses()
                .that()
                .resideOutsideOfPackages("dev.streamlens.testing..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.streamlens.testing..")
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage("org.junit..", "org.assertj.."));
        check(noClasses()
                .that()
                .resideInAPackage("dev.streamlens.infra..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.streamlens.job..",
                        "dev.streamlens.launcher..",
                        "dev.streamlens.ingest..",
                        "dev.streamlens.query.."));
    }

    @Test
    void theLauncherReadsTheJobsSettingsButNeverRunsItsCode() {
        // The job runs in its own process from the shaded jar; the launcher only checks its settings with them.
        DescribedPredicate<JavaClass> jobCodeOtherThanSettings = resideInAPackage("dev.streamlens.job..")
                .and(not(name("dev.streamlens.job.JobSettings")))
                .and(not(name("dev.streamlens.job.DurationConverter")))
                .as("job classes other than JobSettings");
        check(noClasses()
                .that()
                .resideInAPackage("dev.streamlens.launcher..")
                .should()
                .dependOnClassesThat(jobCodeOtherThanSettings)
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.streamlens.ingest..", "dev.streamlens.query..", "org.apache.flink.."));
    }

    @Test
    void insideTheJobEachStepDependsOnlyOnWhatItIsBuiltFrom() {
        // events: the records every step passes on; pricing: the cost model; neither knows the steps.
        check(noClasses()
                .that()
                .resideInAnyPackage("dev.streamlens.job.events..", "dev.streamlens.job.pricing..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.streamlens.job.join..",
                        "dev.streamlens.job.window..",
                        "dev.streamlens.job.io..",
                        "dev.streamlens.job.time.."));
        // The join and the windows are two steps: neither reaches into the other.
        check(noClasses()
                .that()
                .resideInAPackage("dev.streamlens.job.join..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.streamlens.job.window..", "dev.streamlens.job.pricing..", "dev.streamlens.job.io.."));
        check(noClasses()
                .that()
                .resideInAPackage("dev.streamlens.job.window..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.streamlens.job.join..", "dev.streamlens.job.io.."));
        // Alerts read the window rows the pipeline emits (MetricsRow), never the steps that made them.
        check(noClasses()
                .that()
                .resideInAPackage("dev.streamlens.job.alerts..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.streamlens.job.join..",
                        "dev.streamlens.job.window..",
                        "dev.streamlens.job.io..",
                        "dev.streamlens.job.pricing.."));
        // Event time is built from the events alone: sources, sinks and the steps that use time are built on it.
        check(noClasses()
                .that()
                .resideInAPackage("dev.streamlens.job.time..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.streamlens.job.join..",
                        "dev.streamlens.job.window..",
                        "dev.streamlens.job.io..",
                        "dev.streamlens.job.alerts..",
                        "dev.streamlens.job.pricing.."));
        // No two steps use each other, whichever way round.
        slices().matching("dev.streamlens.job.(*)..").should().beFreeOfCycles().check(classes);
        // Sources and sinks take the narrow settings they need (JdbcTarget, KafkaSinks.Target), not JobSettings;
        // nothing below the job's root package sees the root (StreamLensJob, MetricsPipeline, JobSettings).
        check(noClasses()
                .that()
                .resideInAnyPackage("dev.streamlens.job.(*)..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.streamlens.job"));
    }

    @Test
    void insideTheIngestServiceAdaptersCallTheOneIntakeAndTheStepsKnowNoAdapter() {
        // The root holds what every package shares (settings, counters, the event written) and uses none of them.
        check(noClasses()
                .that()
                .resideInAPackage("dev.streamlens.ingest")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.streamlens.ingest.(*).."));
        // OTLP decoding, admission and Kafka publishing are steps: none knows an adapter, the intake or another step.
        for (String step : new String[] {"otlp", "admission", "kafka"}) {
            String[] others = Stream.of("http", "grpc", "intake", "otlp", "admission", "kafka")
                    .filter(other -> !other.equals(step))
                    .map(other -> "dev.streamlens.ingest." + other + "..")
                    .toArray(String[]::new);
            check(noClasses()
                    .that()
                    .resideInAPackage("dev.streamlens.ingest." + step + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(others));
        }
        // The intake runs check → admit → publish for every adapter and knows none of them.
        check(noClasses()
                .that()
                .resideInAPackage("dev.streamlens.ingest.intake..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.streamlens.ingest.http..", "dev.streamlens.ingest.grpc.."));
        // An adapter reaches the rate limits and Kafka only through the intake, so no path skips a step.
        check(noClasses()
                .that()
                .resideInAnyPackage("dev.streamlens.ingest.http..", "dev.streamlens.ingest.grpc..")
                .should()
                .dependOnClassesThat(name("dev.streamlens.ingest.kafka.EventPublisher")
                        .or(name("dev.streamlens.ingest.admission.TenantRateLimits"))
                        .as("the rate limits or the publisher")));
        slices().matching("dev.streamlens.ingest.(*)..")
                .should()
                .beFreeOfCycles()
                .check(classes);
    }

    @Test
    void insideTheQueryServiceMetricsAlertsAndRetentionAreApart() {
        // The root holds the shared answers and settings and uses none of the three jobs.
        check(noClasses()
                .that()
                .resideInAPackage("dev.streamlens.query")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.streamlens.query.(*).."));
        for (String part : new String[] {"metrics", "alerts", "retention", "prices"}) {
            String[] others = Stream.of("metrics", "alerts", "retention", "prices")
                    .filter(other -> !other.equals(part))
                    .map(other -> "dev.streamlens.query." + other + "..")
                    .toArray(String[]::new);
            check(noClasses()
                    .that()
                    .resideInAPackage("dev.streamlens.query." + part + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(others));
        }
        // Attribution builds on the metrics parser; /v1/metrics reaches it only through an interface of its own.
        slices().matching("dev.streamlens.query.(*)..")
                .should()
                .beFreeOfCycles()
                .check(classes);
    }

    private static void check(ArchRule rule) {
        rule.check(classes);
    }
}
