"""What arrives on Kafka and what leaves it: CloudEvent models, the bridge, the publishers."""
