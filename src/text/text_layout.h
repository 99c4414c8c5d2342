/*
 * The fixed words and marks of the plain-text form, shared by import and
 * export (text.h describes the layout). Private to src/text/.
 */
#ifndef LIVELINE_TEXT_LAYOUT_H
#define LIVELINE_TEXT_LAYOUT_H

#define TEXT_SUMMARY	   "Summary"
#define TEXT_MEDIA_CAPTION "Media caption,"
#define TEXT_POINT	   "• "		   /* a key point in the summary */
#define TEXT_HEADER_INDENT "  "		   /* before a post's number */
#define TEXT_PUBLISHED	   "published at " /* directly after the title */
#define TEXT_INDENT	   "    "	   /* every line of a post body */
#define TEXT_BREAKING	   "    Breaking"
#define TEXT_BULLET	   "    • "
#define TEXT_QUOTE	   "    > "
#define TEXT_CITE	   "    > — "
#define TEXT_IMAGE_SOURCE  "Image source, " /* between alt text and credit */
#define TEXT_IMAGE_CAPTION "    Image caption,"

/* A list item's bold lead-in ends with the first ": " within this many bytes. */
#define TEXT_LEAD_MAX 60

#define TEXT_LIT_LEN(s) (sizeof(s) - 1)

#endif
