int fakesvc_placeholder(void); int main(void) { return 0; }
