package dev.streamlens.job.events;

/** A record the job could not parse or place, on its way to the dead-letter topic with the reason. */
public class DeadLetter {

    public String sourceTopic;
    public byte[] key;
    public byte[] value;
    public String reason;

    public DeadLetter() {}

    public DeadLetter(String sourceTopic, byte[] key, byte[] value, String reason) {
        this.sourceTopic = sourceTopic;
        this.key = key;
        this.value = value;
        this.reason = reason;
    }
}
