#include <stdio.h>
int
main(void)
{
	puts("tend: under construction");
	return 0;
}
