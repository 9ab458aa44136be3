// Where chaos-action itself is published: the repository the workflow `init` writes uses, and
// whose schemas/ an editor reads. One place to change when the repository moves.
export const ACTION_REPOSITORY = 'org/chaos-action';
/** The release line users pin (`uses: org/chaos-action@v1`). */
export const ACTION_REF = 'v1';
