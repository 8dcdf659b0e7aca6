package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./streamlens test} on a machine without the programs the tests drive (headless Chromium,
 * wrk, h2load): it installs them where it can, or stops within seconds — before any build — naming the
 * command to run. The script runs with bash over a PATH of stand-ins: {@code id} says who runs it,
 * {@code apt-get} notes what it was asked, answers {@code update} and refuses {@code install} (so the
 * script stops before Maven).
 */
class StreamLensTestCommandTest {

    private static final Path SCRIPT = StackProcess.ROOT.resolve("streamlens");

    @TempDir
    Path dir;

    @Test
    void anOrdinaryUserWithoutSudoIsToldTheOneCommandToRunBeforeAnyBuild() throws Exception {
        Path bin = standIns(1000, true);
        Result result = run(bin);
        assertThat(result.exitCode).isEqualTo(1);
        assertThat(result.stderr)
                .contains("sudo apt-get update && sudo apt-get install -y chromium chromium-driver wrk nghttp2-client")
                .contains("then ./streamlens test again");
        assertThat(bin.resolve("apt-get.calls")).doesNotExist();
    }

    @Test
    void aMachineWithoutAptGetIsToldWhatToInstall() throws Exception {
        Result result = run(standIns(1000, false));
        assertThat(result.exitCode).isEqualTo(1);
        assertThat(result.stderr)
                .contains("the tests need chromium chromium-driver wrk nghttp2-client")
                .contains("has no apt-get");
    }

    @Test
    void rootInstallsWhatIsMissingWithAptGet() throws Exception {
        Path bin = standIns(0, true);
        Result result = run(bin);
        assertThat(result.exitCode)
                .as("the stand-in apt-get refuses to install, so the script stops there")
                .isEqualTo(100);
        assertThat(Files.readAllLines(bin.resolve("apt-get.calls")))
                .containsExactly(
                        "update -qq",
                        "install -y -qq chromium chromium-driver wrk nghttp2-client (DEBIAN_FRONTEND=noninteractive)");
        assertThat(result.stdout).contains("installing chromium chromium-driver wrk nghttp2-client (apt-get)");
    }

    /** A directory of stand-ins for PATH: dirname, id answering {@code uid}, and apt-get if asked for. */
    private Path standIns(int uid, boolean withAptGet) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("dirname"), Path.of("/usr/bin/dirname"));
        Files.createSymbolicLink(bin.resolve("env"), Path.of("/usr/bin/env"));
        script(bin.resolve("id"), "echo " + uid);
        if (withAptGet) {
            script(
                    bin.resolve("apt-get"),
                    String.join(
                            "\n",
                            "calls=\"$(dirname \"$0\")/apt-get.calls\"",
                            "if [ \"$1\" = update ]; then echo \"$*\" >> \"$calls\"; exit 0; fi",
                            "echo \"$* (DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-unset})\" >> \"$calls\"; exit 100"));
        }
        return bin;
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/bash\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Result(int exitCode, String stdout, String stderr) {}

    private Result run(Path bin) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of("/bin/bash", SCRIPT.toString(), "test"))
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", bin.toString());
        Process process = builder.start();
        assertThat(process.waitFor(10, TimeUnit.SECONDS))
                .as("the script stops within seconds")
                .isTrue();
        return new Result(
                process.exitValue(),
                Files.readString(dir.resolve("out.txt")),
                Files.readString(dir.resolve("err.txt")));
    }
}
