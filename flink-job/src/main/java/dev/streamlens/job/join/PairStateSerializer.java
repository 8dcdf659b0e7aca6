package dev.streamlens.job.join;

import dev.streamlens.job.events.TelemetryEvent;
import dev.streamlens.job.events.TelemetryEventSerializer;
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
 * Writes the join's {@link PairState} as one byte saying what it holds, then only that. Every
 * event the join takes reads and writes one of these in RocksDB; Flink's POJO serializer did it by
 * reflection, a null flag and a value per field, and took 15 % of the join task's time in the
 * running job's profile (docs/BENCHMARKS.md).
 *
 * <p>State written with the POJO serializer (the job before this serializer) migrates on restore:
 * the snapshot says {@link TypeSerializerSchemaCompatibility#compatibleAfterMigration()} for a POJO
 * snapshot, so Flink reads the old bytes with the old serializer and writes them anew
 * (JoinStateMigrationTest restores such state on both backends).
 */
public final class PairStateSerializer extends TypeSerializerSingleton<PairState> {

    private static final long serialVersionUID = 1L;

    public static final PairStateSerializer INSTANCE = new PairStateSerializer();

    /** The stored code of each status is its index here: never reorder, only append. */
    private static final PairState.Status[] STATUSES = {
        PairState.Status.WAITING, PairState.Status.JOINED, PairState.Status.TIMED_OUT
    };

    private static final int STATUS_BITS = 0b11;
    private static final int REQUEST = 1 << 2;
    private static final int PENDING_RESPONSES = 1 << 3;
    private static final int REFUSED_TENANT = 1 << 4;
    private static final int REQUEST_TIMESTAMP = 1 << 5;
    private static final int DEADLINE = 1 << 6;
    private static final int REFUSED_TIMESTAMP = 1 << 7;

    private static final TelemetryEventSerializer EVENTS = TelemetryEventSerializer.INSTANCE;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public PairState createInstance() {
        return new PairState();
    }

    @Override
    public PairState copy(PairState from) {
        PairState copy = new PairState();
        copy.status = from.status;
        copy.request = from.request == null ? null : EVENTS.copy(from.request);
        copy.requestTimestamp = from.requestTimestamp;
        copy.deadline = from.deadline;
        if (from.pendingResponses != null) {
            copy.pendingResponses = new TelemetryEvent[from.pendingResponses.length];
            for (int i = 0; i < from.pendingResponses.length; i++) {
                copy.pendingResponses[i] = EVENTS.copy(from.pendingResponses[i]);
            }
        }
        copy.refusedResponseTimestamp = from.refusedResponseTimestamp;
        copy.refusedResponseTenant = from.refusedResponseTenant;
        return copy;
    }

    @Override
    public PairState copy(PairState from, PairState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(PairState pair, DataOutputView out) throws IOException {
        int held = codeOf(pair.status)
                | (pair.request != null ? REQUEST : 0)
                | (pair.pendingResponses != null ? PENDING_RESPONSES : 0)
                | (pair.refusedResponseTenant != null ? REFUSED_TENANT : 0)
                | (pair.requestTimestamp != Long.MIN_VALUE ? REQUEST_TIMESTAMP : 0)
                | (pair.deadline != Long.MIN_VALUE ? DEADLINE : 0)
                | (pair.refusedResponseTimestamp != Long.MIN_VALUE ? REFUSED_TIMESTAMP : 0);
        out.writeByte(held);
        if ((held & REQUEST_TIMESTAMP) != 0) {
            out.writeLong(pair.requestTimestamp);
        }
        if ((held & DEADLINE) != 0) {
            out.writeLong(pair.deadline);
        }
        if ((held & REFUSED_TIMESTAMP) != 0) {
            out.writeLong(pair.refusedResponseTimestamp);
        }
        if ((held & REQUEST) != 0) {
            EVENTS.serialize(pair.request, out);
        }
        if ((held & PENDING_RESPONSES) != 0) {
            out.writeByte(pair.pendingResponses.length); // at most MAX_WAITING_RESPONSES
            for (TelemetryEvent response : pair.pendingResponses) {
                EVENTS.serialize(response, out);
            }
        }
        if ((held & REFUSED_TENANT) != 0) {
            StringValue.writeString(pair.refusedResponseTenant, out);
        }
    }

    @Override
    public PairState deserialize(DataInputView in) throws IOException {
        int held = in.readUnsignedByte();
        PairState pair = new PairState();
        pair.status = STATUSES[held & STATUS_BITS];
        if ((held & REQUEST_TIMESTAMP) != 0) {
            pair.requestTimestamp = in.readLong();
        }
        if ((held & DEADLINE) != 0) {
            pair.deadline = in.readLong();
        }
        if ((held & REFUSED_TIMESTAMP) != 0) {
            pair.refusedResponseTimestamp = in.readLong();
        }
        if ((held & REQUEST) != 0) {
            pair.request = EVENTS.deserialize(in);
        }
        if ((held & PENDING_RESPONSES) != 0) {
            pair.pendingResponses = new TelemetryEvent[in.readUnsignedByte()];
            for (int i = 0; i < pair.pendingResponses.length; i++) {
                pair.pendingResponses[i] = EVENTS.deserialize(in);
            }
        }
        if ((held & REFUSED_TENANT) != 0) {
            pair.refusedResponseTenant = StringValue.readString(in);
        }
        return pair;
    }

    @Override
    public PairState deserialize(PairState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    private static int codeOf(PairState.Status status) {
        for (int code = 0; code < STATUSES.length; code++) {
            if (STATUSES[code] == status) {
                return code;
            }
        }
        throw new IllegalArgumentException("no stored code for " + status);
    }

    @Override
    public TypeSerializerSnapshot<PairState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Version 1 of the format above; state of the POJO serializer before it migrates. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PairState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }

        @Override
        public TypeSerializerSchemaCompatibility<PairState> resolveSchemaCompatibility(
                TypeSerializerSnapshot<PairState> oldSnapshot) {
            if (oldSnapshot instanceof PojoSerializerSnapshot) {
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            return super.resolveSchemaCompatibility(oldSnapshot);
        }
    }
}
