package dev.streamlens.job.events;

import dev.streamlens.job.serialization.SerializerTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Tells Flink to carry and store telemetry events with {@link TelemetryEventSerializer}. */
public final class TelemetryEventTypeInfo {

    public static final TypeInformation<TelemetryEvent> INSTANCE =
            new SerializerTypeInfo<>(TelemetryEvent.class, TelemetryEventSerializer.INSTANCE);

    private TelemetryEventTypeInfo() {}

    /** Makes every use of the class (streams, the join's state, fields of other POJOs) take this type information. */
    public static final class Factory extends TypeInfoFactory<TelemetryEvent> {
        @Override
        public TypeInformation<TelemetryEvent> createTypeInfo(Type type, Map<String, TypeInformation<?>> parameters) {
            return INSTANCE;
        }
    }
}
