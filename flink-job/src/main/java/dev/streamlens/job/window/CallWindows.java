package dev.streamlens.job.window;

import dev.streamlens.job.events.JoinedCall;
import dev.streamlens.job.time.WindowMath;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Tumbling event-time windows that place a call by its own {@link JoinedCall#eventTime} — the
 * response's timestamp, or a timeout's deadline — rather than by the record timestamp, which
 * for a pair joined on its request's arrival would be the request's time.
 */
public final class CallWindows extends WindowAssigner<CallBatch, TimeWindow> {

    private static final long serialVersionUID = 1L;

    private final long sizeMs;

    private CallWindows(long sizeMs) {
        this.sizeMs = sizeMs;
    }

    public static CallWindows of(Duration size) {
        return new CallWindows(size.toMillis());
    }

    @Override
    public Collection<TimeWindow> assignWindows(CallBatch calls, long timestamp, WindowAssignerContext context) {
        long start = WindowMath.windowStart(calls.eventTime, sizeMs);
        return List.of(new TimeWindow(start, start + sizeMs));
    }

    @Override
    public Trigger<CallBatch, TimeWindow> getDefaultTrigger() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Trigger<CallBatch, TimeWindow> trigger = (Trigger) EventTimeTrigger.create();
        return trigger;
    }

    @Override
    public TypeSerializer<TimeWindow> getWindowSerializer(ExecutionConfig executionConfig) {
        return new TimeWindow.Serializer();
    }

    @Override
    public boolean isEventTime() {
        return true;
    }

    @Override
    public String toString() {
        return "CallWindows(" + sizeMs + " ms)";
    }
}
