package dev.streamlens.job.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.job.join.PairState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
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
        everything.provider = "azure";
        everything.userId = "user-7f3a";
        everything.sessionId = "conversation-12";
        everything.tags = new String[] {"feature=search", "environment=", "prompt_version=é".repeat(3)};
        everything.promptTokens = 1200;
        everything.cachedPromptTokens = 1000;
        everything.cacheWriteTokens = 150;
        everything.reasoningTokens = 40;
        everything.timeToFirstTokenMs = 95.25;
        everything.truncated = true;
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
            TelemetryEvent read =
                    serializer.deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
            assertThat(read)
                    .as(event.toString())
                    .usingRecursiveComparison()
                    .ignoringFields("writtenAt")
                    .withEqualsForType(Double::equals, Double.class)
                    .isEqualTo(event); // NaN is NaN, -0.0 is not 0.0
            assertThat(serializer.copy(event))
                    .usingRecursiveComparison()
                    .withEqualsForType(Double::equals, Double.class)
                    .isEqualTo(event);
        }
    }

    /** The format is pinned: state and savepoints hold these bytes, so a change needs a new snapshot version. */
    @Test
    void aRequestIsWrittenAsThePinnedFormatSays() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(TelemetryEvent.request("r1", 1_700_000_000_000L, "acme", "chat", "gpt-4", 100), out);
        String expected = "0001001f" // fields present: kind, request_id, tenant, route, model, prompt tokens
                + "00" // kind code 0: REQUEST
                + "0000018bcfe56800" // timestamp 1700000000000
                + "037231" // "r1": length + 1, then one byte per ASCII char (Flink's StringValue)
                + "0561636d65" + "0563686174" + "066770742d34" // "acme", "chat", "gpt-4"
                + "0000000000000064"; // prompt tokens 100
        assertThat(java.util.HexFormat.of().formatHex(out.getCopyOfBuffer())).isEqualTo(expected);

        DataOutputSerializer response = new DataOutputSerializer(64);
        serializer.serialize(TelemetryEvent.response("r1", 0, Double.NaN, 0, true, null), response);
        assertThat(java.util.HexFormat.of().formatHex(response.getCopyOfBuffer()))
                .as("kind code 1, request_id and the failed flag only")
                .isEqualTo("00010081" + "01" + "0000000000000000" + "037231");
    }

    /**
     * Join state written before truncated_requests existed (a response pinned above, bit 17 unknown
     * then) restores as a call that was not truncated; a truncated one now sets bit 17 and nothing else.
     */
    @Test
    void aResponseWrittenBeforeBit17ExistedRestoresAsNotTruncated() throws Exception {
        byte[] before = java.util.HexFormat.of().parseHex("00010081" + "01" + "0000000000000000" + "037231");
        TelemetryEvent restored = serializer.deserialize(new DataInputDeserializer(before));
        assertThat(restored.requestId).isEqualTo("r1");
        assertThat(restored.failed).isTrue();
        assertThat(restored.truncated).isFalse();

        restored.truncated = true;
        DataOutputSerializer now = new DataOutputSerializer(64);
        serializer.serialize(restored, now);
        assertThat(java.util.HexFormat.of().formatHex(now.getCopyOfBuffer()))
                .as("the same bytes but for bit 17 of the mask")
                .isEqualTo("00030081" + "01" + "0000000000000000" + "037231");
        assertThat(serializer.deserialize(new DataInputDeserializer(now.getCopyOfBuffer())).truncated)
                .isTrue();
    }

    /**
     * A request written before the provider was carried (pinned above) restores without one; one
     * with a provider sets bit 18 and writes it after every other field.
     */
    @Test
    void aRequestWrittenBeforeBit18ExistedRestoresWithoutAProvider() throws Exception {
        DataOutputSerializer before = new DataOutputSerializer(64);
        serializer.serialize(TelemetryEvent.request("r1", 1_700_000_000_000L, "acme", "chat", "gpt-4", 100), before);
        assertThat(serializer.deserialize(new DataInputDeserializer(before.getCopyOfBuffer())).provider)
                .isNull();

        TelemetryEvent named = TelemetryEvent.request("r1", 1_700_000_000_000L, "acme", "chat", "gpt-4", 100);
        named.provider = "openai";
        DataOutputSerializer now = new DataOutputSerializer(64);
        serializer.serialize(named, now);
        String withoutProvider = java.util.HexFormat.of().formatHex(before.getCopyOfBuffer());
        assertThat(java.util.HexFormat.of().formatHex(now.getCopyOfBuffer()))
                .isEqualTo("0005" + withoutProvider.substring(4) + "076f70656e6169"); // + "openai"
        assertThat(serializer.deserialize(new DataInputDeserializer(now.getCopyOfBuffer())).provider)
                .isEqualTo("openai");
    }

    @Test
    void honoursFlinksSerializerContract() throws Exception {
        TelemetryEvent event = TelemetryEvent.request("r1", 5, "acme", "chat", "gpt-4", 7);
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(event, out);
        // copy(in, out): the same bytes.
        DataOutputSerializer copied = new DataOutputSerializer(64);
        serializer.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
        // deserialize with a reuse object reads the same event.
        TelemetryEvent reused =
                serializer.deserialize(new TelemetryEvent(), new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(reused)
                .usingRecursiveComparison()
                .ignoringFields("writtenAt")
                .withEqualsForType(Double::equals, Double.class)
                .isEqualTo(event);
        // A stateless singleton: duplicate() and Java serialization give the same instance.
        assertThat(serializer.duplicate()).isSameAs(serializer);
        assertThat(org.apache.flink.util.InstantiationUtil.clone(serializer)).isEqualTo(serializer);
        // Its snapshot written and read back says "as is" to itself, "after migration" to the POJO serializer's.
        var snapshot = serializer.snapshotConfiguration();
        DataOutputSerializer snapshotBytes = new DataOutputSerializer(64);
        org.apache.flink.api.common.typeutils.TypeSerializerSnapshot.writeVersionedSnapshot(snapshotBytes, snapshot);
        org.apache.flink.api.common.typeutils.TypeSerializerSnapshot<TelemetryEvent> read =
                org.apache.flink.api.common.typeutils.TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(snapshotBytes.getCopyOfBuffer()),
                        getClass().getClassLoader());
        assertThat(read.restoreSerializer()).isSameAs(serializer);
        assertThat(serializer
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(read)
                        .isCompatibleAsIs())
                .isTrue();
    }

    @Test
    void flinkUsesItWhereverTheClassAppears() {
        assertThat(TypeInformation.of(TelemetryEvent.class)).isEqualTo(TelemetryEventTypeInfo.INSTANCE);
        assertThat(TelemetryEventTypeInfo.INSTANCE.createSerializer(new SerializerConfigImpl()))
                .isSameAs(serializer);
        // Inside the join's state, too: the waiting request and the responses waiting for theirs.
        var pair = (PojoTypeInfo<PairState>) TypeInformation.of(PairState.class);
        assertThat(pair.getTypeAt(pair.getFieldIndex("request"))).isEqualTo(TelemetryEventTypeInfo.INSTANCE);
        assertThat(pair.getTypeAt(pair.getFieldIndex("pendingResponses")))
                .isEqualTo(ObjectArrayTypeInfo.getInfoFor(TelemetryEvent[].class, TelemetryEventTypeInfo.INSTANCE));
    }
}
