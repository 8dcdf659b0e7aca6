package dev.streamlens.job.events;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Writes a {@link TelemetryEvent} as a bit mask of the fields it carries, then only those: a
 * request or response leaves out the rejected record's fields and every zero, NaN or null, where
 * Flink's POJO serializer wrote a null flag or a value for each of its 18 fields through
 * reflection. The join's input crosses the network in this form and the join keeps its waiting
 * events in it.
 *
 * <p>State written with the POJO serializer (the job up to this serializer) is migrated on
 * restore: its snapshot says {@link TypeSerializerSchemaCompatibility#compatibleAfterMigration()}
 * for a POJO snapshot, so Flink reads the old bytes with the old serializer and writes them anew
 * (JoinStateMigrationTest restores such state on both backends).
 */
public final class TelemetryEventSerializer extends TypeSerializerSingleton<TelemetryEvent> {

    private static final long serialVersionUID = 1L;

    public static final TelemetryEventSerializer INSTANCE = new TelemetryEventSerializer();

    /** The stored code of each kind, by code: never reorder, only append (state holds these numbers). */
    private static final TelemetryEvent.Kind[] KINDS = {
        TelemetryEvent.Kind.REQUEST,
        TelemetryEvent.Kind.RESPONSE,
        TelemetryEvent.Kind.REJECTED,
        TelemetryEvent.Kind.CLOCK_TICK
    };

    // One bit per field that may be left out.
    private static final int REQUEST_ID = 1;
    private static final int TENANT_ID = 1 << 1;
    private static final int ROUTE = 1 << 2;
    private static final int MODEL = 1 << 3;
    private static final int PROMPT_TOKENS = 1 << 4;
    private static final int LATENCY = 1 << 5;
    private static final int COMPLETION_TOKENS = 1 << 6;
    private static final int FAILED = 1 << 7;
    private static final int CACHED_PROMPT_TOKENS = 1 << 8;
    private static final int CACHE_WRITE_TOKENS = 1 << 9;
    private static final int REASONING_TOKENS = 1 << 10;
    private static final int TIME_TO_FIRST_TOKEN = 1 << 11;
    private static final int SOURCE_TOPIC = 1 << 12;
    private static final int KEY = 1 << 13;
    private static final int RAW = 1 << 14;
    private static final int REASON = 1 << 15;
    private static final int KIND = 1 << 16;
    // Appended later: state written before never sets it, so it reads as false.
    private static final int TRUNCATED = 1 << 17;
    // Appended later, written after every other field: state written before never sets it.
    private static final int PROVIDER = 1 << 18;
    // Appended later again, after the provider.
    private static final int USER = 1 << 19;
    private static final int SESSION = 1 << 20;
    // Appended later again, after the session.
    private static final int TAGS = 1 << 21;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TelemetryEvent createInstance() {
        return new TelemetryEvent();
    }

    @Override
    public TelemetryEvent copy(TelemetryEvent from) {
        TelemetryEvent e = new TelemetryEvent();
        e.kind = from.kind;
        e.requestId = from.requestId;
        e.timestamp = from.timestamp;
        e.writtenAt = from.writtenAt;
        e.tenantId = from.tenantId;
        e.route = from.route;
        e.model = from.model;
        e.provider = from.provider;
        e.userId = from.userId;
        e.sessionId = from.sessionId;
        e.tags = from.tags; // never changed once decoded
        e.promptTokens = from.promptTokens;
        e.latencyMs = from.latencyMs;
        e.completionTokens = from.completionTokens;
        e.failed = from.failed;
        e.truncated = from.truncated;
        e.cachedPromptTokens = from.cachedPromptTokens;
        e.cacheWriteTokens = from.cacheWriteTokens;
        e.reasoningTokens = from.reasoningTokens;
        e.timeToFirstTokenMs = from.timeToFirstTokenMs;
        e.sourceTopic = from.sourceTopic;
        e.key = from.key == null ? null : from.key.clone();
        e.raw = from.raw == null ? null : from.raw.clone();
        e.reason = from.reason;
        return e;
    }

    @Override
    public TelemetryEvent copy(TelemetryEvent from, TelemetryEvent reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(TelemetryEvent e, DataOutputView out) throws IOException {
        int present = (e.kind != null ? KIND : 0)
                | (e.requestId != null ? REQUEST_ID : 0)
                | (e.tenantId != null ? TENANT_ID : 0)
                | (e.route != null ? ROUTE : 0)
                | (e.model != null ? MODEL : 0)
                | (e.promptTokens != 0 ? PROMPT_TOKENS : 0)
                | (!Double.isNaN(e.latencyMs) ? LATENCY : 0)
                | (e.completionTokens != 0 ? COMPLETION_TOKENS : 0)
                | (e.failed ? FAILED : 0)
                | (e.truncated ? TRUNCATED : 0)
                | (e.cachedPromptTokens != 0 ? CACHED_PROMPT_TOKENS : 0)
                | (e.cacheWriteTokens != 0 ? CACHE_WRITE_TOKENS : 0)
                | (e.reasoningTokens != 0 ? REASONING_TOKENS : 0)
                | (!Double.isNaN(e.timeToFirstTokenMs) ? TIME_TO_FIRST_TOKEN : 0)
                | (e.sourceTopic != null ? SOURCE_TOPIC : 0)
                | (e.key != null ? KEY : 0)
                | (e.raw != null ? RAW : 0)
                | (e.reason != null ? REASON : 0)
                | (e.provider != null ? PROVIDER : 0)
                | (e.userId != null ? USER : 0)
                | (e.sessionId != null ? SESSION : 0)
                | (e.tags != null ? TAGS : 0);
        out.writeInt(present);
        if ((present & KIND) != 0) {
            out.writeByte(codeOf(e.kind));
        }
        out.writeLong(e.timestamp);
        writeString(present, REQUEST_ID, e.requestId, out);
        writeString(present, TENANT_ID, e.tenantId, out);
        writeString(present, ROUTE, e.route, out);
        writeString(present, MODEL, e.model, out);
        writeLong(present, PROMPT_TOKENS, e.promptTokens, out);
        if ((present & LATENCY) != 0) {
            out.writeDouble(e.latencyMs);
        }
        writeLong(present, COMPLETION_TOKENS, e.completionTokens, out);
        writeLong(present, CACHED_PROMPT_TOKENS, e.cachedPromptTokens, out);
        writeLong(present, CACHE_WRITE_TOKENS, e.cacheWriteTokens, out);
        writeLong(present, REASONING_TOKENS, e.reasoningTokens, out);
        if ((present & TIME_TO_FIRST_TOKEN) != 0) {
            out.writeDouble(e.timeToFirstTokenMs);
        }
        writeString(present, SOURCE_TOPIC, e.sourceTopic, out);
        writeBytes(present, KEY, e.key, out);
        writeBytes(present, RAW, e.raw, out);
        writeString(present, REASON, e.reason, out);
        writeString(present, PROVIDER, e.provider, out);
        writeString(present, USER, e.userId, out);
        writeString(present, SESSION, e.sessionId, out);
        if ((present & TAGS) != 0) {
            out.writeByte(e.tags.length);
            for (String tag : e.tags) {
                StringValue.writeString(tag, out);
            }
        }
    }

    @Override
    public TelemetryEvent deserialize(DataInputView in) throws IOException {
        int present = in.readInt();
        TelemetryEvent e = new TelemetryEvent();
        if ((present & KIND) != 0) {
            e.kind = KINDS[in.readByte()];
        }
        e.timestamp = in.readLong();
        e.requestId = readString(present, REQUEST_ID, in);
        e.tenantId = readString(present, TENANT_ID, in);
        e.route = readString(present, ROUTE, in);
        e.model = readString(present, MODEL, in);
        e.promptTokens = readLong(present, PROMPT_TOKENS, in);
        if ((present & LATENCY) != 0) {
            e.latencyMs = in.readDouble();
        }
        e.completionTokens = readLong(present, COMPLETION_TOKENS, in);
        e.failed = (present & FAILED) != 0;
        e.truncated = (present & TRUNCATED) != 0;
        e.cachedPromptTokens = readLong(present, CACHED_PROMPT_TOKENS, in);
        e.cacheWriteTokens = readLong(present, CACHE_WRITE_TOKENS, in);
        e.reasoningTokens = readLong(present, REASONING_TOKENS, in);
        if ((present & TIME_TO_FIRST_TOKEN) != 0) {
            e.timeToFirstTokenMs = in.readDouble();
        }
        e.sourceTopic = readString(present, SOURCE_TOPIC, in);
        e.key = readBytes(present, KEY, in);
        e.raw = readBytes(present, RAW, in);
        e.reason = readString(present, REASON, in);
        e.provider = readString(present, PROVIDER, in);
        e.userId = readString(present, USER, in);
        e.sessionId = readString(present, SESSION, in);
        if ((present & TAGS) != 0) {
            e.tags = new String[in.readUnsignedByte()];
            for (int i = 0; i < e.tags.length; i++) {
                e.tags[i] = StringValue.readString(in);
            }
        }
        return e;
    }

    @Override
    public TelemetryEvent deserialize(TelemetryEvent reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    private static int codeOf(TelemetryEvent.Kind kind) {
        for (int code = 0; code < KINDS.length; code++) {
            if (KINDS[code] == kind) {
                return code;
            }
        }
        throw new IllegalArgumentException("no stored code for kind " + kind);
    }

    private static void writeString(int present, int bit, String value, DataOutputView out) throws IOException {
        if ((present & bit) != 0) {
            StringValue.writeString(value, out);
        }
    }

    private static String readString(int present, int bit, DataInputView in) throws IOException {
        return (present & bit) != 0 ? StringValue.readString(in) : null;
    }

    private static void writeLong(int present, int bit, long value, DataOutputView out) throws IOException {
        if ((present & bit) != 0) {
            out.writeLong(value);
        }
    }

    private static long readLong(int present, int bit, DataInputView in) throws IOException {
        return (present & bit) != 0 ? in.readLong() : 0;
    }

    private static void writeBytes(int present, int bit, byte[] value, DataOutputView out) throws IOException {
        if ((present & bit) != 0) {
            out.writeInt(value.length);
            out.write(value);
        }
    }

    private static byte[] readBytes(int present, int bit, DataInputView in) throws IOException {
        if ((present & bit) == 0) {
            return null;
        }
        byte[] value = new byte[in.readInt()];
        in.readFully(value);
        return value;
    }

    @Override
    public TypeSerializerSnapshot<TelemetryEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Version 1 of the format above; state of the POJO serializer before it migrates. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<TelemetryEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }

        @Override
        public TypeSerializerSchemaCompatibility<TelemetryEvent> resolveSchemaCompatibility(
                TypeSerializerSnapshot<TelemetryEvent> oldSnapshot) {
            if (oldSnapshot instanceof PojoSerializerSnapshot) {
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            return super.resolveSchemaCompatibility(oldSnapshot);
        }
    }
}
