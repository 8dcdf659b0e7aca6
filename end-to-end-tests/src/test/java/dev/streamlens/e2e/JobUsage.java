package dev.streamlens.e2e;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The options the job accepts, read from its own usage text ({@code StreamLensJob --help}), as a user would. */
final class JobUsage {

    private JobUsage() {}

    static Set<String> options() throws Exception {
        String classpath;
        try (InputStream in = JobUsage.class.getResourceAsStream("/streamlens/job.classpath")) {
            classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        Process help = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        classpath,
                        "dev.streamlens.job.StreamLensJob",
                        "--help"))
                .redirectErrorStream(true)
                .start();
        String usage = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!help.waitFor(60, TimeUnit.SECONDS) || help.exitValue() != 0) {
            throw new IllegalStateException("StreamLensJob --help failed: " + usage);
        }
        Set<String> options = new TreeSet<>();
        Matcher option = Pattern.compile("(--[a-z][a-z-]+)").matcher(usage);
        while (option.find()) {
            options.add(option.group(1));
        }
        return options;
    }
}
