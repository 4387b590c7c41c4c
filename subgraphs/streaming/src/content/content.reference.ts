export const contentReference = {
  Content: {
    // playCount needs only the id; whether the title exists is catalog's business.
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
  },
};
