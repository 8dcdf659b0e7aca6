package dev.streamlens.launcher;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./streamlens}: the pipeline on one machine. Settings are the SPEC's STREAMLENS_* variables. */
@Command(name = "streamlens", mixinStandardHelpOptions = true, subcommands = {
        StreamLensCommand.Up.class, CommandLine.HelpCommand.class},
        description = "StreamLens on this machine: embedded Kafka and PostgreSQL, the Flink job, and both services.")
public final class StreamLensCommand {

    public static void main(String[] args) {
        // Flyway and friends log through java.util.logging: keep the terminal for progress lines.
        java.util.logging.LogManager.getLogManager().reset();
        System.exit(new CommandLine(new StreamLensCommand()).execute(args));
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Starts every part, prints 'StreamLens is up' and the URLs; Ctrl-C or SIGTERM stops all. "
                    + "Data lives under $STREAMLENS_HOME (default .streamlens), so the next 'up' resumes.")
    static final class Up implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            StackSettings settings = StackSettings.fromEnvironment(System.getenv());
            Path root = Path.of(System.getProperty("streamlens.root", ".")).toAbsolutePath();
            LocalStack stack = new LocalStack(settings, root, System.out);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("stopping StreamLens ...");
                stack.stop();
                stopped.countDown();
            }, "streamlens-shutdown"));
            try {
                stack.start();
            } catch (ManagedProcess.StartFailure e) {
                System.err.println("StreamLens did not start: " + e.getMessage());
                return 1;
            }
            stack.printUrls();
            stopped.await();
            return 0;
        }
    }
}
