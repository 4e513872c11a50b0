/* harness: placeholder */ int harness_placeholder(void) { return 0; }
