package dev.streamlens.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

    @TempDir
    Path dir;

    @Test
    void aKeyIsFoundByItsHashOnly() throws Exception {
        Path file = write("{\"keys\": [" + entry("acme", "acme-secret") + "," + entry("globex", "globex-secret")
                + ",{\"tenant_id\": \"initech\", \"sha256\": \""
                + ApiKeys.hashOf("initech-secret").toUpperCase()
                + "\", \"events_per_second\": 50}]}");
        ApiKeys keys = ApiKeys.load(file);
        assertThat(keys.find("acme-secret"))
                .get()
                .extracting(ApiKeys.TenantKey::tenantId)
                .isEqualTo("acme");
        assertThat(keys.find("globex-secret"))
                .get()
                .extracting(ApiKeys.TenantKey::tenantId)
                .isEqualTo("globex");
        assertThat(keys.find("initech-secret"))
                .get()
                .extracting(ApiKeys.TenantKey::tenantId)
                .isEqualTo("initech");
        assertThat(keys.find(ApiKeys.hashOf("acme-secret")))
                .as("the hash itself is not a key")
                .isEmpty();
        assertThat(keys.find("acme-secre")).isEmpty();
        assertThat(keys.find("")).isEmpty();
        assertThat(keys.eventsPerSecond("initech")).contains(50L);
        assertThat(keys.eventsPerSecond("acme")).isEmpty();
        assertThat(Files.readString(file)).doesNotContain("acme-secret");
    }

    @Test
    void aChangedFileIsReadAgainAndABrokenOneKeepsThePreviousKeys() throws Exception {
        Path file = write("{\"keys\": [" + entry("acme", "old-key") + "]}");
        AtomicLong clock = new AtomicLong();
        ApiKeys keys = ApiKeys.load(file, clock::get);

        Files.writeString(file, "{\"keys\": [" + entry("acme", "new-key") + "]}");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        assertThat(keys.find("old-key")).as("not re-read within a second").isPresent();
        clock.addAndGet(1_000_000_000L);
        assertThat(keys.find("new-key")).isPresent();
        assertThat(keys.find("old-key")).isEmpty();

        Files.writeString(file, "{\"keys\": [{\"tenant_id\": \"acme\", \"sha256\": \"nothex\"}]}");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
        clock.addAndGet(1_000_000_000L);
        assertThat(keys.find("new-key"))
                .as("a broken file keeps the previous keys")
                .isPresent();
    }

    @Test
    void aMalformedFileIsRefusedNamingTheEntry() throws Exception {
        assertThatThrownBy(() -> ApiKeys.load(write("{\"keys\": [{\"tenant_id\": \"\", \"sha256\": \"00\"}]}")))
                .hasMessageContaining("keys[0].tenant_id");
        assertThatThrownBy(() -> ApiKeys.load(write("{\"keys\": [{\"tenant_id\": \"a\", \"sha256\": \"00\"}]}")))
                .hasMessageContaining("keys[0].sha256");
        assertThatThrownBy(() -> ApiKeys.load(write("[]"))).hasMessageContaining("must be {\"keys\"");
        assertThatThrownBy(() -> ApiKeys.load(write("{\"keys\": [" + entry("a", "k") + "," + entry("b", "k") + "]}")))
                .hasMessageContaining("keys[1].sha256 is listed twice");
        assertThatThrownBy(() -> ApiKeys.load(write("{\"keys\": [{\"tenant_id\": \"a\", \"sha256\": \""
                        + ApiKeys.hashOf("k") + "\", \"events_per_second\": 1.5}]}")))
                .hasMessageContaining("events_per_second");
        assertThatThrownBy(() -> ApiKeys.load(dir.resolve("missing.json"))).hasMessageContaining("cannot read");
    }

    @Test
    void theKeyComesFromBearerOrXApiKey() {
        assertThat(PresentedKey.from("Bearer abc", null)).contains("abc");
        assertThat(PresentedKey.from("bearer  abc ", null)).contains("abc");
        assertThat(PresentedKey.from(null, "xyz")).contains("xyz");
        assertThat(PresentedKey.from("Basic dXNlcjpwYXNz", "xyz")).contains("xyz");
        assertThat(PresentedKey.from("Bearer ", null)).isEmpty();
        assertThat(PresentedKey.from(null, "x".repeat(300))).isEmpty();
        assertThat(PresentedKey.from(null, null)).isEmpty();
    }

    private Path write(String json) throws Exception {
        Path file = Files.createTempFile(dir, "keys", ".json");
        Files.writeString(file, json);
        return file;
    }

    private static String entry(String tenant, String key) {
        return "{\"tenant_id\": \"" + tenant + "\", \"sha256\": \"" + ApiKeys.hashOf(key) + "\"}";
    }
}
