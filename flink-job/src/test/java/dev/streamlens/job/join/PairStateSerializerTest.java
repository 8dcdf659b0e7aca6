package dev.streamlens.job.join;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.job.events.TelemetryEvent;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.TypeExtractor;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** Every shape of the join's state survives the compact serializer, and POJO-written state migrates. */
class PairStateSerializerTest {

    private static final long T0 = 1_763_632_830_000L;

    private static List<PairState> pairs() {
        PairState empty = new PairState();

        PairState waiting = new PairState();
        waiting.request = TelemetryEvent.request("r1", T0, "acme", "chat", "gpt-4o", 120);
        waiting.requestTimestamp = T0;
        waiting.deadline = T0 + 300_000;

        PairState joined = new PairState();
        joined.status = PairState.Status.JOINED;
        joined.requestTimestamp = T0;
        joined.deadline = T0 + 300_000;

        PairState responsesFirst = new PairState();
        responsesFirst.pendingResponses = new TelemetryEvent[] {
            TelemetryEvent.response("r2", T0 + 5, 5.0, 7, false, "acme"),
            TelemetryEvent.response("r2", T0 + 6, 6.0, 9, true, "intruder")
        };

        PairState timedOutAndRefused = new PairState();
        timedOutAndRefused.status = PairState.Status.TIMED_OUT;
        timedOutAndRefused.request = TelemetryEvent.request("r3", T0, "beta", "search", "claude", 42);
        timedOutAndRefused.requestTimestamp = T0;
        timedOutAndRefused.refusedResponseTimestamp = T0 + 400_000;
        timedOutAndRefused.refusedResponseTenant = "beta";
        return List.of(empty, waiting, joined, responsesFirst, timedOutAndRefused);
    }

    @Test
    void everyShapeRoundTripsAndCopiesDeeply() throws Exception {
        for (PairState pair : pairs()) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            PairStateSerializer.INSTANCE.serialize(pair, out);
            PairState back = PairStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(back)
                    .usingRecursiveComparison()
                    .withEqualsForType(Double::equals, Double.class) // NaN is "not set", and equal to itself
                    .isEqualTo(pair);

            PairState copy = PairStateSerializer.INSTANCE.copy(pair);
            assertThat(copy)
                    .usingRecursiveComparison()
                    .withEqualsForType(Double::equals, Double.class) // NaN is "not set", and equal to itself
                    .isEqualTo(pair);
            if (pair.request != null) {
                assertThat(copy.request).isNotSameAs(pair.request);
            }
        }
    }

    @Test
    void aJoinedMarkerIsSmallerThanThePojoWroteIt() throws Exception {
        PairState joined = pairs().get(2);
        DataOutputSerializer compact = new DataOutputSerializer(64);
        PairStateSerializer.INSTANCE.serialize(joined, compact);
        DataOutputSerializer pojo = new DataOutputSerializer(64);
        pojoSerializer().serialize(joined, pojo);
        assertThat(compact.length()).isEqualTo(1 + 8 + 8).isLessThan(pojo.length());
    }

    @Test
    void statePojoWroteMigratesOnRestore() {
        assertThat(PairStateSerializer.INSTANCE
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(pojoSerializer().snapshotConfiguration())
                        .isCompatibleAfterMigration())
                .isTrue();
        assertThat(PairStateSerializer.INSTANCE
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(PairStateSerializer.INSTANCE.snapshotConfiguration())
                        .isCompatibleAsIs())
                .isTrue();
    }

    private static TypeSerializer<PairState> pojoSerializer() {
        return TypeExtractor.createTypeInfo(PairState.class).createSerializer(new SerializerConfigImpl());
    }
}
