package dev.streamlens.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Test;

/** An operator's own Flink options (--flink-config) reach the job, but never over one the job relies on. */
class JobConfigurationTest {

    private static Configuration configuration(Map<String, String> environment, String... args) {
        List<String> all = new ArrayList<>(
                List.of("--kafka-brokers", "localhost:9092", "--jdbc-url", "jdbc:postgresql://localhost/x"));
        all.addAll(List.of(args));
        return JobConfiguration.of(JobSettings.parse(environment, all.toArray(String[]::new)));
    }

    @Test
    void rocksDbKeepsTimersOnTheHeapUnlessTheOperatorChoosesRocksDb() {
        assertThat(configuration(Map.of()).getString(JobConfiguration.ROCKSDB_TIMERS, null))
                .isEqualTo("HEAP");
        Configuration chosen = configuration(Map.of(
                "STREAMLENS_FLINK_CONFIG",
                "state.backend.rocksdb.timer-service.factory=ROCKSDB; state.backend.rocksdb.block.cache-size = 256mb"));
        assertThat(chosen.getString(JobConfiguration.ROCKSDB_TIMERS, null)).isEqualTo("ROCKSDB");
        assertThat(chosen.getString("state.backend.rocksdb.block.cache-size", null))
                .isEqualTo("256mb");
    }

    @Test
    void theOptionsTheJobSetsItselfWin() {
        Configuration conf = configuration(
                Map.of(),
                "--flink-config",
                "execution.checkpointing.unaligned.enabled=true;execution.checkpointing.interval=1h",
                "--checkpoint-interval",
                "10s");
        assertThat(conf.get(CheckpointingOptions.ENABLE_UNALIGNED)).isFalse();
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).hasSeconds(10);
    }

    @Test
    void theLocalClusterGivesRocksDbMoreMemoryThanFlinksLocalDefaultUnlessTold() {
        Configuration local = configuration(Map.of());
        JobConfiguration.localCluster(local, 18082);
        assertThat(local.get(TaskManagerOptions.MANAGED_MEMORY_SIZE)).isEqualTo(MemorySize.ofMebiBytes(512));
        assertThat(local.get(RestOptions.PORT)).isEqualTo(18082);
        assertThat(local.get(RestOptions.BIND_ADDRESS)).isEqualTo("127.0.0.1");

        Configuration told = configuration(Map.of("STREAMLENS_FLINK_CONFIG", "taskmanager.memory.managed.size=1gb"));
        JobConfiguration.localCluster(told, 18082);
        assertThat(told.get(TaskManagerOptions.MANAGED_MEMORY_SIZE)).isEqualTo(MemorySize.ofMebiBytes(1024));
    }

    @Test
    void theSettingsLineNamesTheOptionsPassedThrough() {
        String[] base = {"--kafka-brokers", "localhost:9092", "--jdbc-url", "jdbc:postgresql://localhost/x"};
        assertThat(JobSettings.parse(Map.of("STREAMLENS_FLINK_CONFIG", "a.b=1; c.d = 2"), base)
                        .toString())
                .contains("flink-config={a.b=1, c.d=2}");
        assertThat(JobSettings.parse(Map.of(), base).toString()).doesNotContain("flink-config");
    }

    @Test
    void anEntryThatIsNotKeyEqualsValueIsRefusedByName() {
        assertThatThrownBy(() -> configuration(Map.of(), "--flink-config", "a=1;just-a-key"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--flink-config")
                .hasMessageContaining("'just-a-key'");
        assertThatThrownBy(() -> configuration(Map.of(), "--flink-config", "=1"))
                .hasMessageContaining("--flink-config");
    }
}
