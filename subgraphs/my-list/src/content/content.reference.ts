export const contentReference = {
  Content: {
    // Nothing to look up: inMyList needs only the id, and existence is catalog's business.
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
  },
};
