package dev.streamlens.job.window;

import dev.streamlens.job.events.JoinedCall;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Gives each call the record timestamp of the instant it counts at ({@link JoinedCall#eventTime}).
 *
 * <p>The join emits a pair with the timestamp of whichever event completed it: the request's, when
 * the request came last. Flink's window operator judges lateness by that record timestamp: a pair
 * whose window (the response's) was closed for good, but whose request timestamp was not yet
 * late, was neither counted nor sent to the late output — dropped without a trace. With the call's
 * own time as timestamp, "its window is closed for good" and "it is late" are the same thing.
 * Watermarks pass through unchanged; no function API can set a record's timestamp, hence an operator.
 */
public final class CallTimeStamper extends AbstractStreamOperator<JoinedCall>
        implements OneInputStreamOperator<JoinedCall, JoinedCall> {

    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(StreamRecord<JoinedCall> element) {
        output.collect(element.replace(element.getValue(), element.getValue().eventTime));
    }
}
