use queues::bounded_queue::{BoundedQueue, Empty, Full};

queue_surface_tests!(BoundedQueue, Full, Empty);
