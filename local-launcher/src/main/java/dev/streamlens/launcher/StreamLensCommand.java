package dev.streamlens.launcher;

import dev.streamlens.model.Durations;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./streamlens}: the pipeline on one machine. Settings are the README's STREAMLENS_* variables. */
@Command(
        name = "streamlens",
        mixinStandardHelpOptions = true,
        subcommands = {
            StreamLensCommand.Up.class,
            StreamLensCommand.Demo.class,
            StreamLensCommand.Prices.class,
            CommandLine.HelpCommand.class
        },
        description = "StreamLens on this machine: embedded Kafka and PostgreSQL, the Flink job, and both services.")
public final class StreamLensCommand {

    public static void main(String[] args) {
        // Flyway and friends log through java.util.logging: keep the terminal for progress lines.
        java.util.logging.LogManager.getLogManager().reset();
        System.exit(new CommandLine(new StreamLensCommand()).execute(args));
    }

    /** Starts the stack, runs {@link #whileUp} and waits for Ctrl-C or SIGTERM, which stop everything. */
    abstract static class StackCommand implements Callable<Integer> {

        /** Closed before the stack stops (the demo's traffic). */
        final List<AutoCloseable> closeFirst = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            StackSettings settings;
            try {
                settings = StackSettings.fromEnvironment(System.getenv());
            } catch (IllegalArgumentException e) {
                System.err.println("StreamLens did not start: " + e.getMessage());
                return 2;
            }
            Path root = Path.of(System.getProperty("streamlens.root", ".")).toAbsolutePath();
            LocalStack stack = new LocalStack(settings, root, System.out, tenantsWithOwnKeys());
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                System.out.println("stopping StreamLens ...");
                                closeFirst.forEach(StackCommand::closeQuietly);
                                stack.stop();
                                stopped.countDown();
                            },
                            "streamlens-shutdown"));
            try {
                stack.start();
            } catch (ManagedProcess.StartFailure e) {
                System.err.println("StreamLens did not start: " + e.getMessage());
                return 1;
            }
            stack.printUrls();
            whileUp(settings, stack);
            stopped.await();
            return 0;
        }

        abstract void whileUp(StackSettings settings, LocalStack stack);

        /** Tenants this command needs keys for, made fresh each run when keys are on (the demo's). */
        List<String> tenantsWithOwnKeys() {
            return List.of();
        }

        private static void closeQuietly(AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // stopping anyway
            }
        }
    }

    @Command(
            name = "prices",
            mixinStandardHelpOptions = true,
            subcommands = {PricesUpdateCommand.class},
            description = "Prices of a running StreamLens (docs/PRICING.md).")
    static final class Prices implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(System.out);
        }
    }

    @Command(
            name = "up",
            mixinStandardHelpOptions = true,
            description = "Starts every part, prints 'StreamLens is up' and the URLs; Ctrl-C or SIGTERM stops all. "
                    + "Data lives under $STREAMLENS_HOME (default .streamlens), so the next 'up' resumes.")
    static final class Up extends StackCommand {
        @Override
        void whileUp(StackSettings settings, LocalStack stack) {
            // nothing else: the stack serves until stopped
        }
    }

    @Command(
            name = "demo",
            mixinStandardHelpOptions = true,
            description = "'up' plus synthetic traffic (tenants, routes, models of the price table, errors, slow, "
                    + "unanswered, out-of-order, duplicate and late calls) and a summary table from the query API "
                    + "every few seconds.")
    static final class Demo extends StackCommand {

        @Option(
                names = "--calls-per-second",
                defaultValue = "20",
                description = "LLM calls to simulate per second (default: ${DEFAULT-VALUE})")
        int callsPerSecond;

        @Option(
                names = "--summary-every",
                defaultValue = "5",
                description = "seconds between summary tables (default: ${DEFAULT-VALUE})")
        int summarySeconds;

        @Override
        List<String> tenantsWithOwnKeys() {
            return DemoTraffic.TENANTS;
        }

        @Override
        void whileUp(StackSettings settings, LocalStack stack) {
            DemoTraffic traffic = new DemoTraffic(
                    settings.ingestUrl(), settings.job().window, settings.job().outOfOrderness, stack.newKeys());
            DemoSummary summary =
                    new DemoSummary(settings.queryUrl(), DemoTraffic.TENANTS, stack.newKeys(), System.out);
            ScheduledExecutorService printer = Executors.newSingleThreadScheduledExecutor();
            closeFirst.add(printer::shutdownNow);
            closeFirst.add(traffic);
            traffic.start(callsPerSecond);
            System.out.println("demo traffic: about " + callsPerSecond
                    + " calls/s; a window's row appears a few seconds "
                    + "after the window ends (out-of-orderness " + Durations.format(settings.job().outOfOrderness)
                    + " plus processing); late calls revise their window later");
            printer.scheduleAtFixedRate(() -> summary.print(traffic), summarySeconds, summarySeconds, TimeUnit.SECONDS);
        }
    }
}
