/* fatal-signal, general-protection variant: a load through a non-canonical
 * pointer (bits 63..47 not all equal, like the kernel's list poison values
 * 0xdead000000000100) raises a general-protection fault, not a page fault.
 * The kernel then reports si_code=SI_KERNEL and si_addr=0 whatever the
 * pointer was: the rule must name the general-protection fault, not call
 * address 0 a NULL dereference. Exit status 139 (128 + SIGSEGV). */
#include <stdio.h>

struct node {
    struct node* next;
    long value;
};

int main(void) {
    /* A list entry freed and poisoned, then followed. */
    struct node* volatile freed = (struct node*)0xdead000000001234;
    const long value = freed->value;
    printf("value: %ld\n", value);
    return 0;
}
