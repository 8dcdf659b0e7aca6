package dev.streamlens.job.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The join's key serializer writes Flink's StringSerializer bytes, so state written by either restores with it. */
class JoinKeySerializerTest {

    private static List<String> keys() {
        List<String> keys = new ArrayList<>(List.of(
                "",
                "a",
                "r1",
                UUID.randomUUID().toString(),
                "4:acme|" + UUID.randomUUID(),
                "x".repeat(127),
                "y".repeat(128),
                "z".repeat(20_000),
                "é-request",
                "日本語のID",
                "mixed-ascii-then-ü",
                "\u007f\u0080"));
        Random random = new Random(42);
        for (int i = 0; i < 500; i++) {
            char[] chars = new char[random.nextInt(80)];
            for (int j = 0; j < chars.length; j++) {
                // mostly ASCII, sometimes anything in the basic plane
                chars[j] = random.nextInt(10) == 0 ? (char) random.nextInt(0xD7FF) : (char) random.nextInt(0x80);
            }
            keys.add(new String(chars));
        }
        return keys;
    }

    @Test
    void writesTheBytesOfFlinksStringSerializerAndReadsThemBack() throws Exception {
        for (String key : keys()) {
            DataOutputSerializer flinks = new DataOutputSerializer(64);
            StringSerializer.INSTANCE.serialize(key, flinks);
            DataOutputSerializer ours = new DataOutputSerializer(64);
            JoinKeySerializer.INSTANCE.serialize(key, ours);
            assertThat(ours.getCopyOfBuffer()).as("bytes of %s", key).isEqualTo(flinks.getCopyOfBuffer());
            assertThat(JoinKeySerializer.INSTANCE.deserialize(new DataInputDeserializer(ours.getCopyOfBuffer())))
                    .isEqualTo(key);
        }
    }

    @Test
    void stateWrittenUnderStringSerializerOrItselfRestoresAsIs() {
        TypeSerializerSchemaCompatibility<String> fromString = JoinKeySerializer.INSTANCE
                .snapshotConfiguration()
                .resolveSchemaCompatibility(StringSerializer.INSTANCE.snapshotConfiguration());
        assertThat(fromString.isCompatibleAsIs()).isTrue();
        TypeSerializerSchemaCompatibility<String> fromItself = JoinKeySerializer.INSTANCE
                .snapshotConfiguration()
                .resolveSchemaCompatibility(JoinKeySerializer.INSTANCE.snapshotConfiguration());
        assertThat(fromItself.isCompatibleAsIs()).isTrue();
    }

    @Test
    void theKeyTypeIsAStringKeyWrittenByThisSerializer() {
        assertThat(JoinKeySerializer.TYPE.getTypeClass()).isEqualTo(String.class);
        assertThat(JoinKeySerializer.TYPE.isKeyType()).isTrue();
        assertThat(JoinKeySerializer.TYPE.createSerializer(
                        new org.apache.flink.api.common.serialization.SerializerConfigImpl()))
                .isSameAs(JoinKeySerializer.INSTANCE);
    }
}
