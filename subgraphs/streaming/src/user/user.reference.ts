export const userReference = {
  User: {
    // Streaming keeps nothing of the user but the id its own fields are keyed by.
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
  },
};
