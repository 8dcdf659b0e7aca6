package dev.streamlens.job.join;

import dev.streamlens.job.serialization.SerializerTypeInfo;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The join's key (a request_id) written in exactly the bytes of Flink's {@link StringSerializer},
 * but an ASCII key in one write instead of one per character. Every checkpoint writes the key of
 * each of the join's heap timers (millions at a few thousand calls per second) through a chain of
 * per-byte stream calls: the profile of the running job put 63 % of the join task's time in that
 * snapshot, most of it in those writes (docs/BENCHMARKS.md). The same bytes keep RocksDB's keys and
 * every checkpoint written under {@link StringSerializer} valid: its snapshot restores as is.
 */
public final class JoinKeySerializer extends TypeSerializerSingleton<String> {

    private static final long serialVersionUID = 1L;

    public static final JoinKeySerializer INSTANCE = new JoinKeySerializer();

    /** The join's key type: a String (its hash, and so its key group, is the String's), written by this serializer. */
    public static final TypeInformation<String> TYPE = SerializerTypeInfo.forKeys(String.class, INSTANCE);

    /** StringValue's variable-length encoding: 7 bits a byte, this bit set on all but the last. */
    private static final int HIGH_BIT = 0x80;

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public String createInstance() {
        return "";
    }

    @Override
    public String copy(String from) {
        return from;
    }

    @Override
    public String copy(String from, String reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(String key, DataOutputView target) throws IOException {
        int length = key.length();
        // The length plus one (zero means null), then each character, both as StringValue writes them.
        byte[] bytes = new byte[5 + length];
        int at = 0;
        int lengthToWrite = length + 1;
        while (lengthToWrite >= HIGH_BIT) {
            bytes[at++] = (byte) (lengthToWrite | HIGH_BIT);
            lengthToWrite >>>= 7;
        }
        bytes[at++] = (byte) lengthToWrite;
        for (int i = 0; i < length; i++) {
            char c = key.charAt(i);
            if (c >= HIGH_BIT) {
                StringValue.writeString(key, target); // not ASCII: the general encoding
                return;
            }
            bytes[at++] = (byte) c;
        }
        target.write(bytes, 0, at);
    }

    @Override
    public String deserialize(DataInputView source) throws IOException {
        return StringValue.readString(source);
    }

    @Override
    public String deserialize(String reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        StringValue.copyString(source, target);
    }

    @Override
    public TypeSerializerSnapshot<String> snapshotConfiguration() {
        return new JoinKeySerializerSnapshot();
    }

    /** Restores state written under this serializer or under Flink's StringSerializer (the same bytes). */
    public static final class JoinKeySerializerSnapshot extends SimpleTypeSerializerSnapshot<String> {

        public JoinKeySerializerSnapshot() {
            super(() -> INSTANCE);
        }

        @Override
        public TypeSerializerSchemaCompatibility<String> resolveSchemaCompatibility(
                TypeSerializerSnapshot<String> oldSerializerSnapshot) {
            if (oldSerializerSnapshot instanceof StringSerializer.StringSerializerSnapshot) {
                return TypeSerializerSchemaCompatibility.compatibleAsIs();
            }
            return super.resolveSchemaCompatibility(oldSerializerSnapshot);
        }
    }
}
