/*
 * A program that does nothing, linked against the libraries tend is
 * linked against: the price of loading them, which every tend command pays
 * before main().
 */
int
main(void)
{
	return 0;
}
