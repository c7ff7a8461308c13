/* test_lint.c - placeholder until the parser tables land. */
int main(void) { return 77; }
