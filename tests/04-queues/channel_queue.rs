use queues::channel_queue::{ChannelQueue, Empty, Full};

queue_surface_tests!(ChannelQueue, Full, Empty);
