package dev.streamlens.job.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** Every kind of event, and one with every field set, reads back as written; and Flink picks the serializer. */
class TelemetryEventSerializerTest {

    private final TelemetryEventSerializer serializer = TelemetryEventSerializer.INSTANCE;

    @Test
    void everyKindOfEventReadsBackAsWritten() throws Exception {
        TelemetryEvent everything = TelemetryEvent.response("r-all", 1_700_000_000_123L, 812.5, 300, true, "acme");
        everything.route = "chat";
        everything.model = "gpt-4o";
        everything.promptTokens = 1200;
        everything.cachedPromptTokens = 1000;
        everything.cacheWriteTokens = 150;
        everything.reasoningTokens = 40;
        everything.timeToFirstTokenMs = 95.25;
        everything.sourceTopic = "llm.responses";
        everything.key = "k".getBytes(StandardCharsets.UTF_8);
        everything.raw = "{\"x\":1}".getBytes(StandardCharsets.UTF_8);
        everything.reason = "é ".repeat(40_000); // longer than writeUTF's 64 KiB bound

        TelemetryEvent negative = TelemetryEvent.request("r-neg", -5, "t", "r", "m", -1);
        negative.latencyMs = -0.0;

        for (TelemetryEvent event : List.of(
                TelemetryEvent.request("r1", 1_700_000_000_000L, "acme", "chat", "gpt-4", 100),
                TelemetryEvent.response("r1", 1_700_000_001_200L, Double.NaN, 250, false, null),
                TelemetryEvent.rejected("llm.requests", null, new byte[] {1, 2, 3}, 42L, "timestamp: missing"),
                TelemetryEvent.clockTick(1_700_000_000_000L),
                new TelemetryEvent(),
                negative,
                everything)) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            serializer.serialize(event, out);
            TelemetryEvent read = serializer.deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
            assertThat(read).as(event.toString()).usingRecursiveComparison().ignoringFields("writtenAt")
                    .withEqualsForType(Double::equals, Double.class).isEqualTo(event); // NaN is NaN, -0.0 is not 0.0
            assertThat(serializer.copy(event)).usingRecursiveComparison().withEqualsForType(Double::equals, Double.class)
                    .isEqualTo(event);
        }
    }

    @Test
    void aRequestTakesFewerBytesThanItsFieldsWouldAll() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(TelemetryEvent.request("r1", 1_700_000_000_000L, "acme", "chat", "gpt-4", 100), out);
        // mask 4 + kind 1 + timestamp 8 + four short strings (1-byte length each) + prompt tokens 8
        assertThat(out.length()).isEqualTo(4 + 1 + 8 + (1 + 2) + (1 + 4) + (1 + 4) + (1 + 5) + 8);
    }

    @Test
    void flinkUsesItWhereverTheClassAppears() {
        assertThat(TypeInformation.of(TelemetryEvent.class).createSerializer(new org.apache.flink.api.common.serialization.SerializerConfigImpl()))
                .isSameAs(serializer);
    }
}
