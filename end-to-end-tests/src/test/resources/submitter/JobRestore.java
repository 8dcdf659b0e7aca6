import dev.streamlens.job.JobConfiguration;
import dev.streamlens.job.JobSettings;
import java.util.Arrays;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;

/**
 * What {@code flink run [-s <savepoint>] <jar> <job arguments>} restores the job from, worked out the
 * way Flink 2.2's client does: {@code -s} goes into the client's configuration
 * (ProgramOptions.applyToConfiguration), the job's main builds its own from its arguments and
 * environment (StreamLensJob.main: JobSettings, JobConfiguration, which with
 * --resume-from-latest-checkpoint looks for the newest retained checkpoint), and the context
 * environment lays the program's configuration over the client's (StreamContextEnvironment), from
 * which the stream graph takes its restore settings (StreamGraphGenerator). Run by the stand-in
 * {@code flink} of SubmitJobScriptIT, on the job's classpath; args: the -s value ("" for none), then
 * the job's arguments. Prints {@code restore: <path>} or {@code restore: none}.
 */
public class JobRestore {

    public static void main(String[] args) {
        Configuration client = new Configuration();
        SavepointRestoreSettings.toConfiguration(args[0].isEmpty() ? SavepointRestoreSettings.none()
                : SavepointRestoreSettings.forPath(args[0]), client);
        JobSettings settings = new JobSettings();
        JobSettings.commandLine(settings, System.getenv()).parseArgs(Arrays.copyOfRange(args, 1, args.length));
        settings.validate();
        Configuration merged = new Configuration();
        merged.addAll(client);
        merged.addAll(JobConfiguration.of(settings));
        SavepointRestoreSettings restore = SavepointRestoreSettings.fromConfiguration(merged);
        System.out.println("restore: " + (restore.restoreSavepoint() ? restore.getRestorePath() : "none"));
    }
}
